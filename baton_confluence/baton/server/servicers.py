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

from baton_confluence import __version__
from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.server.capabilities import connector_capabilities
from baton_confluence.baton.server.status import status_trailer
from baton_confluence.baton.syncer import Connector, GrantProvisioner, Page, ResourceSyncer, StaticEntitlements

log = structlog.get_logger("baton.server")

R = TypeVar("R")


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

    # ResourcesService
    async def ListResources(self, request: Any, context: Any) -> pb.resource.ResourcesServiceListResourcesResponse:
        async def call() -> pb.resource.ResourcesServiceListResourcesResponse:
            syncer = self._syncer(request.resource_type_id)
            parent = request.parent_resource_id if request.HasField("parent_resource_id") else None
            page = await syncer.list(parent, request.page_token)
            _check_token(request.page_token, page, f"ListResources({request.resource_type_id})")
            return pb.resource.ResourcesServiceListResourcesResponse(
                list=page.items, next_page_token=page.next_token, annotations=page.annotations
            )

        return await _guarded(context, "ListResources", call)

    # EntitlementsService
    async def ListEntitlements(
        self, request: Any, context: Any
    ) -> pb.entitlement.EntitlementsServiceListEntitlementsResponse:
        async def call() -> pb.entitlement.EntitlementsServiceListEntitlementsResponse:
            syncer = self._syncer(request.resource.id.resource_type)
            page = await syncer.entitlements(request.resource, request.page_token)
            _check_token(request.page_token, page, f"ListEntitlements({request.resource.id.resource_type})")
            return pb.entitlement.EntitlementsServiceListEntitlementsResponse(
                list=page.items, next_page_token=page.next_token, annotations=page.annotations
            )

        return await _guarded(context, "ListEntitlements", call)

    async def ListStaticEntitlements(
        self, request: Any, context: Any
    ) -> pb.entitlement.EntitlementsServiceListStaticEntitlementsResponse:
        async def call() -> pb.entitlement.EntitlementsServiceListStaticEntitlementsResponse:
            syncer = self._syncer(request.resource_type_id)
            if not isinstance(syncer, StaticEntitlements):
                return pb.entitlement.EntitlementsServiceListStaticEntitlementsResponse()
            page = await syncer.static_entitlements(request.page_token)
            _check_token(request.page_token, page, f"ListStaticEntitlements({request.resource_type_id})")
            return pb.entitlement.EntitlementsServiceListStaticEntitlementsResponse(
                list=page.items, next_page_token=page.next_token, annotations=page.annotations
            )

        return await _guarded(context, "ListStaticEntitlements", call)

    # GrantsService
    async def ListGrants(self, request: Any, context: Any) -> pb.grant.GrantsServiceListGrantsResponse:
        async def call() -> pb.grant.GrantsServiceListGrantsResponse:
            syncer = self._syncer(request.resource.id.resource_type)
            page = await syncer.grants(request.resource, request.page_token)
            _check_token(request.page_token, page, f"ListGrants({request.resource.id.resource_type})")
            return pb.grant.GrantsServiceListGrantsResponse(
                list=page.items, next_page_token=page.next_token, annotations=page.annotations
            )

        return await _guarded(context, "ListGrants", call)

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
