"""Id formats shared with the Go SDK; changing any of them breaks existing c1z consumers."""

from __future__ import annotations


def entitlement_id(resource_type: str, resource_id: str, slug: str) -> str:
    return f"{resource_type}:{resource_id}:{slug}"


def grant_id(entitlement: str, principal_type: str, principal_id: str) -> str:
    return f"{entitlement}:{principal_type}:{principal_id}"


def resource_key(resource_type: str, resource_id: str) -> str:
    """The `external_id` of a resource row in a c1z."""
    return f"{resource_type}:{resource_id}"
