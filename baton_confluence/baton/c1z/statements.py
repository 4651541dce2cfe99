"""SQL the sync store runs; the upsert rules follow Go's writers (docs/protocol.md §1.4)."""

from __future__ import annotations

from baton_confluence.baton.c1z.schema import ENTITLEMENTS, GRANTS, RESOURCE_TYPES, RESOURCES

# On conflict only `data` changes: discovered_at and the key columns keep their first value.
UPSERT_RESOURCE_TYPE = (
    f"insert into {RESOURCE_TYPES} (external_id, data, sync_id, discovered_at) values (?, ?, ?, ?) "
    "on conflict (external_id, sync_id) do update set data = excluded.data"
)

UPSERT_RESOURCE = (
    f"insert into {RESOURCES} (resource_type_id, external_id, parent_resource_type_id, parent_resource_id, "
    "data, sync_id, discovered_at) values (?, ?, ?, ?, ?, ?, ?) "
    "on conflict (external_id, sync_id) do update set data = excluded.data"
)

UPSERT_ENTITLEMENT = (
    f"insert into {ENTITLEMENTS} (resource_type_id, resource_id, external_id, data, sync_id, discovered_at) "
    "values (?, ?, ?, ?, ?, ?) "
    "on conflict (external_id, sync_id) do update set data = excluded.data"
)

_GRANT_COLUMNS = (
    "resource_type_id, resource_id, entitlement_id, principal_resource_type_id, principal_resource_id, external_id"
)

# A connector's grant replaces the expansion too; needs_expansion turns on when the
# expansion appears or changes, off when it goes away, and otherwise keeps its value
# (Go `executeGrantChunkedUpsert`, replace mode).
UPSERT_GRANT = (
    f"insert into {GRANTS} ({_GRANT_COLUMNS}, expansion, needs_expansion, data, sync_id, discovered_at) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "on conflict (external_id, sync_id) do update set data = excluded.data, "
    "expansion = excluded.expansion, "
    "needs_expansion = case "
    "when excluded.expansion is null or excluded.expansion = x'' then 0 "
    f"when {GRANTS}.expansion is null then 1 "
    f"when {GRANTS}.expansion != excluded.expansion then 1 "
    f"else {GRANTS}.needs_expansion end"
)

# Grants made by expansion never carry an expansion of their own; a conflict with an
# existing grant must not erase that grant's expansion columns (Go "preserve expansion").
UPSERT_EXPANDED_GRANT = (
    f"insert into {GRANTS} ({_GRANT_COLUMNS}, data, sync_id, discovered_at) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "on conflict (external_id, sync_id) do update set data = excluded.data"
)

# During an expansion that dropped the unique id index, no derived grant can meet an existing
# one (c1z/expansion_rows.py).
INSERT_EXPANDED_GRANT = (
    f"insert into {GRANTS} ({_GRANT_COLUMNS}, data, sync_id, discovered_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

UPDATE_GRANT_DATA = f"update {GRANTS} set data = ? where id = ?"
