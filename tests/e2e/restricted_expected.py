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
