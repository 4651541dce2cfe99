"""The c1.connector.v2 services, implemented over a Connector's syncers.

Mirrors the Go connector builder: unknown resource types are NotFound, a connector that hands
back the page token it was given is a bug (Internal), types without static entitlements answer
an empty list, and provisioning is refused unless it was switched on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc
import structlog
from google.protobuf.message import Message

from baton_confluence import __version__
from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.server.capabilities import connector_capabilities
from baton_confluence.baton.server.status import status_trailer
from baton_confluence.baton.syncer import (
    Connector,
    GrantProvisioner,
    Page,
    ResourceGetter,
    ResourceSyncer,
    StaticEntitlements,
)

log = structlog.get_logger("baton.server")

R = TypeVar("R")
M = TypeVar("M", bound=Message)


async def _guarded(context: grpc.aio.ServicerContext[Any, Any], method: str, call: Callable[[], Awaitable[R]]) -> R:
    try:
        return await call()
    except ConnectorError as err:
        await context.abort(err.code, err.message, trailing_metadata=status_trailer(err))
    except grpc.aio.AbortError:
        raise
    except Exception as err:  # a connector bug must reach the caller as a status, not kill the server
        log.exception("connector_error", method=method)
        await context.abort(grpc.StatusCode.INTERNAL, f"{method}: {type(err).__name__}: {err}")
    raise AssertionError("unreachable: context.abort raises")


def _check_token(request_token: str, page: Page[Any], what: str) -> None:
    if page.next_token and page.next_token == request_token:
        raise ConnectorError(
            grpc.StatusCode.INTERNAL, f"{what}: next page token equals the request token (likely a connector bug)"
        )


class ConnectorServices:
    """One object implementing every connector service; registered once per service on a server."""

    def __init__(self, connector: Connector, *, provisioning: bool) -> None:
        self.connector = connector
        self.provisioning = provisioning
        self._syncers: dict[str, ResourceSyncer] = {s.resource_type().id: s for s in connector.syncers()}

    def _syncer(self, resource_type_id: str) -> ResourceSyncer:
        syncer = self._syncers.get(resource_type_id)
        if syncer is None:
            raise ConnectorError(grpc.StatusCode.NOT_FOUND, f"unknown resource type {resource_type_id!r}")
        return syncer

    # ConnectorService
    async def GetMetadata(self, request: Any, context: Any) -> pb.connector.ConnectorServiceGetMetadataResponse:
        async def call() -> pb.connector.ConnectorServiceGetMetadataResponse:
            metadata = self.connector.metadata()
            metadata.capabilities.CopyFrom(connector_capabilities(self.connector.syncers()))
            return pb.connector.ConnectorServiceGetMetadataResponse(metadata=metadata)

        return await _guarded(context, "GetMetadata", call)

    async def Validate(self, request: Any, context: Any) -> pb.connector.ConnectorServiceValidateResponse:
        async def call() -> pb.connector.ConnectorServiceValidateResponse:
            annotations = await self.connector.validate()
            return pb.connector.ConnectorServiceValidateResponse(annotations=annotations, sdk_version=__version__)

        return await _guarded(context, "Validate", call)

    async def Cleanup(self, request: Any, context: Any) -> pb.connector.ConnectorServiceCleanupResponse:
        async def call() -> pb.connector.ConnectorServiceCleanupResponse:
            await self.connector.cleanup(request.active_sync_id)
            return pb.connector.ConnectorServiceCleanupResponse()

        return await _guarded(context, "Cleanup", call)

    # ResourceTypesService
    async def ListResourceTypes(
        self, request: Any, context: Any
    ) -> pb.resource.ResourceTypesServiceListResourceTypesResponse:
        async def call() -> pb.resource.ResourceTypesServiceListResourceTypesResponse:
            return pb.resource.ResourceTypesServiceListResourceTypesResponse(
                list=[s.resource_type() for s in self._syncers.values()]
            )

        return await _guarded(context, "ListResourceTypes", call)

    async def _list(
        self,
        context: Any,
        method: str,
        type_id: str,
        token: str,
        fetch: Callable[[ResourceSyncer], Awaitable[Page[Any]] | None],
        response: type[M],
    ) -> M:
        """One page of a list RPC: find the syncer, fetch, check the token moved on, wrap the page.

        `fetch` returns None when the syncer has nothing of that kind (an empty answer)."""

        async def call() -> M:
            pending = fetch(self._syncer(type_id))
            if pending is None:
                return response()
            page = await pending
            _check_token(token, page, f"{method}({type_id})")
            return response(list=page.items, next_page_token=page.next_token, annotations=page.annotations)

        return await _guarded(context, method, call)

    # ResourcesService
    async def ListResources(self, request: Any, context: Any) -> pb.resource.ResourcesServiceListResourcesResponse:
        parent = request.parent_resource_id if request.HasField("parent_resource_id") else None
        return await self._list(
            context,
            "ListResources",
            request.resource_type_id,
            request.page_token,
            lambda syncer: syncer.list(parent, request.page_token),
            pb.resource.ResourcesServiceListResourcesResponse,
        )

    # ResourceGetterService
    async def GetResource(self, request: Any, context: Any) -> pb.resource.ResourceGetterServiceGetResourceResponse:
        async def call() -> pb.resource.ResourceGetterServiceGetResourceResponse:
            type_id = request.resource_id.resource_type
            syncer = self._syncer(type_id)
            if not isinstance(syncer, ResourceGetter):
                raise ConnectorError(
                    grpc.StatusCode.UNIMPLEMENTED, f"GetResource: resource type {type_id!r} cannot be fetched by id"
                )
            resource = await syncer.get(request.resource_id)
            return pb.resource.ResourceGetterServiceGetResourceResponse(resource=resource)

        return await _guarded(context, "GetResource", call)

    # EntitlementsService
    async def ListEntitlements(
        self, request: Any, context: Any
    ) -> pb.entitlement.EntitlementsServiceListEntitlementsResponse:
        return await self._list(
            context,
            "ListEntitlements",
            request.resource.id.resource_type,
            request.page_token,
            lambda syncer: syncer.entitlements(request.resource, request.page_token),
            pb.entitlement.EntitlementsServiceListEntitlementsResponse,
        )

    async def ListStaticEntitlements(
        self, request: Any, context: Any
    ) -> pb.entitlement.EntitlementsServiceListStaticEntitlementsResponse:
        def fetch(syncer: ResourceSyncer) -> Awaitable[Page[Any]] | None:
            if not isinstance(syncer, StaticEntitlements):
                return None  # a type without static entitlements answers an empty list, as upstream
            return syncer.static_entitlements(request.page_token)

        return await self._list(
            context,
            "ListStaticEntitlements",
            request.resource_type_id,
            request.page_token,
            fetch,
            pb.entitlement.EntitlementsServiceListStaticEntitlementsResponse,
        )

    # GrantsService
    async def ListGrants(self, request: Any, context: Any) -> pb.grant.GrantsServiceListGrantsResponse:
        return await self._list(
            context,
            "ListGrants",
            request.resource.id.resource_type,
            request.page_token,
            lambda syncer: syncer.grants(request.resource, request.page_token),
            pb.grant.GrantsServiceListGrantsResponse,
        )

    # GrantManagerService
    def _provisioner(self, resource_type_id: str) -> GrantProvisioner:
        if not self.provisioning:
            raise ConnectorError(
                grpc.StatusCode.FAILED_PRECONDITION, "provisioning is not enabled (use --provisioning)"
            )
        syncer = self._syncers.get(resource_type_id)
        if syncer is None:
            raise ConnectorError(grpc.StatusCode.INVALID_ARGUMENT, f"unknown resource type {resource_type_id!r}")
        if not isinstance(syncer, GrantProvisioner):
            raise ConnectorError(
                grpc.StatusCode.UNIMPLEMENTED, f"resource type {resource_type_id!r} cannot be provisioned"
            )
        return syncer

    async def Grant(self, request: Any, context: Any) -> pb.grant.GrantManagerServiceGrantResponse:
        async def call() -> pb.grant.GrantManagerServiceGrantResponse:
            provisioner = self._provisioner(request.entitlement.resource.id.resource_type)
            result = await provisioner.grant(request.principal, request.entitlement)
            return pb.grant.GrantManagerServiceGrantResponse(grants=result.grants, annotations=result.annotations)

        return await _guarded(context, "Grant", call)

    async def Revoke(self, request: Any, context: Any) -> pb.grant.GrantManagerServiceRevokeResponse:
        async def call() -> pb.grant.GrantManagerServiceRevokeResponse:
            provisioner = self._provisioner(request.grant.entitlement.resource.id.resource_type)
            annotations = await provisioner.revoke(request.grant)
            return pb.grant.GrantManagerServiceRevokeResponse(annotations=annotations)

        return await _guarded(context, "Revoke", call)
