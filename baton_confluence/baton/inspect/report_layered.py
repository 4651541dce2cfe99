"""The review page's "Restricted" tab: layered resources (restricted content) per container, who
can actually use each, and who its own list names but cannot (layered_access.py has the rule).

Kept apart from report.py so the page's other sections change independently. In `meta` as
`restricted`: null when the connector states no rule, else `{"slug", "gate", "items"}` with one
item per layered resource, `[node, container node, layer count, effective count, [effective user
nodes, the first EFFECTIVE_SHOWN], [[blocked user node, [reasons]]]]`, ordered by container and
name. The viewer lists are cut so that a big site's page stays small (`inspect restricted -o json`
has them whole); blocked users are few by nature and kept whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from baton_confluence.baton.c1z import C1ZReader
from baton_confluence.baton.inspect.access import ResourceRef
from baton_confluence.baton.inspect.layered_access import LayeredAccessRule, layered_access

EFFECTIVE_SHOWN = 200


def restricted_meta(
    reader: C1ZReader, rule: LayeredAccessRule | None, node: Callable[[ResourceRef], int]
) -> dict[str, Any] | None:
    if rule is None:
        return None
    items = [
        [
            node(found.ref),
            node(found.container) if found.container is not None else -1,
            len(found.layers),
            len(found.effective),
            [node(user) for user in found.effective[:EFFECTIVE_SHOWN]],
            [[node(b.user), list(b.reasons)] for b in found.blocked],
        ]
        for found in layered_access(reader, rule)
    ]
    return {"slug": rule.layer_slug, "gate": rule.container_slug, "items": items}
