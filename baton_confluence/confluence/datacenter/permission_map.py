"""Data Center space permissions <-> the connector's `verb-noun` pairs (Cloud's operation names).

Confluence Data Center 9.1+ names a space permission by `targetType` + `operationKey`. Its REST
documentation (Space Permissions: grant/revoke for user, group, anonymous) lists the supported
pairs: space read / administer / export / restrict / delete_own / delete_mail, and create / delete
on page, blogpost, comment and attachment.

Entitlement slugs stay Cloud's, so a C1 configuration means the same thing on both products:

- `restrict` is Cloud's `restrict_content` on space (add/delete restrictions);
- `delete_own` is Cloud's `delete` on space, which Cloud documents as "Delete Own";
- `delete_mail` has no Cloud counterpart and no slug: it is not synced (docs/datacenter.md);
- Cloud's `archive-page` and the newer targets (whiteboard, database, embed, folder) do not exist
  on Data Center, so the DC catalog leaves them out.

Before 9.1 the only remote view of space permissions is the JSON-RPC remote API, which names a
permission by one upper-case type string (Atlassian's "Remote Confluence Methods" permission table
and its space-permission list). Each maps to the 9.1 pair the Space Permissions UI row shares
(docs/datacenter.md, "Space permissions: names"); `REMOVEMAIL` is `delete_mail` (no slug), and
`EXPORTPAGE`, an older type some sites still list, has no 9.1 pair: both are skipped.
"""

from __future__ import annotations

from baton_confluence.confluence.permissions import Permission

# (targetType, operationKey) on Data Center -> Permission(verb, noun) as the connector names it.
DC_TO_PERMISSION: dict[tuple[str, str], Permission] = {
    ("space", "read"): Permission("read", "space"),
    ("space", "administer"): Permission("administer", "space"),
    ("space", "export"): Permission("export", "space"),
    ("space", "restrict"): Permission("restrict_content", "space"),
    ("space", "delete_own"): Permission("delete", "space"),
    **{
        (noun, verb): Permission(verb, noun)
        for noun in ("page", "blogpost", "comment", "attachment")
        for verb in ("create", "delete")
    },
}
PERMISSION_TO_DC: dict[Permission, tuple[str, str]] = {perm: pair for pair, perm in DC_TO_PERMISSION.items()}

# Documented on DC but without a connector slug; seen in listings and skipped.
UNMAPPED_DC_PAIRS = frozenset({("space", "delete_mail")})


# JSON-RPC permission type -> (targetType, operationKey) of the 9.1 REST API.
RPC_TYPE_TO_DC: dict[str, tuple[str, str]] = {
    "VIEWSPACE": ("space", "read"),
    "SETSPACEPERMISSIONS": ("space", "administer"),
    "EXPORTSPACE": ("space", "export"),
    "SETPAGEPERMISSIONS": ("space", "restrict"),
    "REMOVEOWNCONTENT": ("space", "delete_own"),
    "REMOVEMAIL": ("space", "delete_mail"),
    "EDITSPACE": ("page", "create"),
    "REMOVEPAGE": ("page", "delete"),
    "EDITBLOG": ("blogpost", "create"),
    "REMOVEBLOG": ("blogpost", "delete"),
    "COMMENT": ("comment", "create"),
    "REMOVECOMMENT": ("comment", "delete"),
    "CREATEATTACHMENT": ("attachment", "create"),
    "REMOVEATTACHMENT": ("attachment", "delete"),
}


def rpc_type_to_dc(permission_type: str) -> tuple[str, str] | None:
    """The 9.1 (targetType, operationKey) of a JSON-RPC permission type, or None when unknown."""
    return RPC_TYPE_TO_DC.get(permission_type.strip().upper())


def from_dc(target_type: str, operation_key: str) -> Permission | None:
    """The connector's permission for a DC pair, or None when it has no slug."""
    return DC_TO_PERMISSION.get((target_type.lower(), operation_key.lower()))


def to_dc(permission: Permission) -> tuple[str, str] | None:
    """(targetType, operationKey) for a connector permission, or None when DC has no such pair."""
    return PERMISSION_TO_DC.get(permission)


def dc_supports(permission: Permission) -> bool:
    return permission in PERMISSION_TO_DC
