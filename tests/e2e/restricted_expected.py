"""Oracle helpers for restricted content, from the simulated site's state only."""

from __future__ import annotations

from confluence_simulator import SiteState


def space_readers(state: SiteState, space_id: int) -> set[str] | None:
    """Account ids with read-space in the space (directly or through a group); None when an
    access class (anonymous users and the like) opens it to everyone."""
    readers: set[str] = set()
    for perm in state.space_permissions(space_id):
        if (perm.key, perm.target) != ("read", "space"):
            continue
        if perm.principal_type == "user":
            readers.add(perm.principal_id)
        elif perm.principal_type == "group":
            readers.update(state.groups[perm.principal_id].members)
        else:
            return None
    return readers


def effective_viewers(state: SiteState, everyone: set[str], synced_ids: set[str]) -> dict[str, tuple[set[str], set[str]]]:
    """`type:id` -> (who can view, who the content's own view list names but cannot), by
    Confluence's rule, from the site's state: read-space (directly, through a group, or open to
    everyone through an access class) and every view list of the content and its ancestors."""

    def space_viewers(space_id: int) -> set[str]:
        readers = space_readers(state, space_id)
        return set(everyone) if readers is None else readers

    def view_list(content_id: int) -> set[str] | None:
        restriction = state.content.by_id[content_id].restrictions["read"]
        if restriction.empty:
            return None
        return set(restriction.users) | {m for g in restriction.groups for m in state.groups[g].members}

    out = {}
    for content in state.content.all():
        key = f"{content.type}:{content.id}"
        if key not in synced_ids:
            continue
        viewers = space_viewers(content.space_id)
        for layer_id in (*content.ancestors, content.id):
            layer = view_list(layer_id)
            if layer is not None:
                viewers &= layer
        own = view_list(content.id) or set()
        out[key] = ({f"user:{a}" for a in viewers}, {f"user:{a}" for a in own - viewers})
    return out
