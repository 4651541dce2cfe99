"""Id formats shared with the Go SDK; changing any of them breaks existing c1z consumers."""

from __future__ import annotations


def entitlement_id(resource_type: str, resource_id: str, slug: str) -> str:
    return f"{resource_type}:{resource_id}:{slug}"


def grant_id(entitlement: str, principal_type: str, principal_id: str) -> str:
    return f"{entitlement}:{principal_type}:{principal_id}"


def resource_key(resource_type: str, resource_id: str) -> str:
    """The `external_id` of a resource row in a c1z."""
    return f"{resource_type}:{resource_id}"


def split_resource_key(text: str) -> tuple[str, str] | None:
    """`resource_key`'s inverse: (type, id) split at the first colon, since ids may hold colons
    (Confluence Cloud account ids do) while type ids do not; None when either part is missing."""
    resource_type, colon, resource_id = text.partition(":")
    if not (colon and resource_type and resource_id):
        return None
    return resource_type, resource_id
