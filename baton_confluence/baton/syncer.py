"""The interface a connector implements to plug into the runtime.

Shaped like baton-sdk's ResourceSyncer: one object per resource type that lists resources,
their entitlements and their grants, one page per call, and optionally provisions grants.
Pages are resumable: `next_token` is an opaque string the engine stores in its checkpoint and
hands back (possibly after a restart); an empty token means the listing is complete.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from google.protobuf import any_pb2

from baton_confluence.baton import pb

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_token: str = ""
    annotations: list[any_pb2.Any] = field(default_factory=list)


@dataclass
class GrantResult:
    """What a successful Grant call reports: the grants now in place and notes for the caller."""

    grants: list[pb.grant.Grant] = field(default_factory=list)
    annotations: list[any_pb2.Any] = field(default_factory=list)


class ResourceSyncer(ABC):
    """Lists one resource type. Connector errors are raised as `ConnectorError`."""

    @abstractmethod
    def resource_type(self) -> pb.resource.ResourceType: ...

    @abstractmethod
    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]: ...

    @abstractmethod
    async def entitlements(self, resource: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]: ...

    @abstractmethod
    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]: ...


class StaticEntitlements(ABC):
    """Mixin: entitlement templates the engine materialises for every resource of the type."""

    @abstractmethod
    async def static_entitlements(self, token: str) -> Page[pb.entitlement.Entitlement]: ...


class ResourceGetter(ABC):
    """Mixin: the type's resources can be fetched one by one (`ResourceGetterService.GetResource`).

    The engine asks for principals that grants name but no listing returned, so that every
    grant's principal exists in the sync. Raise `ConnectorError(NOT_FOUND)` only when the
    connector cannot say anything about the id; a principal the site reports as gone should be
    returned with a status that says so (its grants are real data).
    """

    @abstractmethod
    async def get(self, resource_id: pb.resource.ResourceId) -> pb.resource.Resource: ...


class GrantProvisioner(ABC):
    """Mixin: the type's entitlements can be granted and revoked."""

    @abstractmethod
    async def grant(self, principal: pb.resource.Resource, entitlement: pb.entitlement.Entitlement) -> GrantResult: ...

    @abstractmethod
    async def revoke(self, grant: pb.grant.Grant) -> list[any_pb2.Any]: ...


class Connector(ABC):
    """A whole connector: metadata, validation and its syncers."""

    @abstractmethod
    def metadata(self) -> pb.connector.ConnectorMetadata: ...

    @abstractmethod
    def syncers(self) -> Sequence[ResourceSyncer]: ...

    async def validate(self) -> list[any_pb2.Any]:
        """Check that a sync can run; raise ConnectorError otherwise. Returns response annotations."""
        return []

    async def cleanup(self, active_sync_id: str) -> None:
        """Called once a sync has finished; drop per-sync caches."""

    async def close(self) -> None:
        """Release clients the connector opened."""
