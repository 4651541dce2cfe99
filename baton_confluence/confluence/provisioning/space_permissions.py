"""Grant and revoke `space:<sid>:<verb>-<noun>` (non-RBAC mode) to users and groups.

Writes (v1 OpenAPI, FACTS.md §v1): `POST /wiki/rest/api/space/{spaceKey}/permission` with
`{"subject": {"type": user|group, "identifier": accountId|groupId}, "operation": {"key": verb,
"target": noun}}` answers 200 with the new permission; `DELETE .../permission/{id}` answers 204.
Both need the Admin permission in the space (403 otherwise); an unknown or invisible space is 404.
The POST refuses with 400 a pair outside the documented write pairs, an existing permission
("already exists") and any permission but read-space for a subject without read-space.

Deleting read-space deletes all of the subject's permissions in the space (documented cascade):
the revoke reports it in a warning, because C1 keeps showing the other grants until the next sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import grpc
import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.syncer import GrantProvisioner, GrantResult
from baton_confluence.confluence.client import ConfluenceAPI
from baton_confluence.confluence.grants import grant_expanding_groups
from baton_confluence.confluence.permissions import Permission, parse_slug, valid_slugs
from baton_confluence.confluence.provisioning import outcome
from baton_confluence.confluence.provisioning.context import ProvisioningContext
from baton_confluence.confluence.provisioning.errors import Hints, described, failed_precondition, invalid_argument
from baton_confluence.confluence.provisioning.permission_lookup import READ_SPACE, find_permission
from baton_confluence.confluence.provisioning.space_key import space_key
from baton_confluence.confluence.provisioning.target import Principal, Target, principal_of, target_of
from baton_confluence.confluence.resource_types import GROUP, SPACE, USER

if TYPE_CHECKING:
    from google.protobuf import any_pb2


log = structlog.get_logger("baton_confluence.confluence.provisioning.space_permissions")


@dataclass(frozen=True)
class _Request:
    target: Target
    permission: Permission
    subject: Principal

    @property
    def space_id(self) -> str:
        return self.target.resource_id

    def read_space_id(self) -> str:
        return f"{SPACE}:{self.space_id}:{READ_SPACE.slug}"


class SpacePermissionProvisioner(GrantProvisioner):
    """Mixin for the space syncer."""

    ctx: ProvisioningContext

    async def grant(self, principal: pb.resource.Resource, entitlement: pb.entitlement.Entitlement) -> GrantResult:
        request = _request(self.ctx, entitlement, principal, granting=True)
        annotations = await _add(self.ctx.api, request)
        subject = request.subject
        grant = grant_expanding_groups(request.target.resource, request.permission.slug, subject.type, subject.id)
        return GrantResult([grant], annotations)

    async def revoke(self, grant: pb.grant.Grant) -> list[any_pb2.Any]:
        request = _request(self.ctx, grant.entitlement, grant.principal, granting=False)
        return await _remove(self.ctx.api, request)


def _request(
    ctx: ProvisioningContext,
    entitlement: pb.entitlement.Entitlement,
    principal: pb.resource.Resource,
    *,
    granting: bool,
) -> _Request:
    target = target_of(entitlement, SPACE)
    if ctx.options.use_rbac:
        raise invalid_argument(
            f"entitlement {target.entitlement_id!r}: space permissions are not managed in RBAC mode (--use-rbac); "
            "grant a space role (space_role_assignment entitlement) instead"
        )
    permission = parse_slug(target.slug)
    if permission is None:
        raise invalid_argument(
            f"entitlement {target.entitlement_id!r}: {target.slug!r} is not a Confluence space permission; "
            f"valid ones: {', '.join(valid_slugs())}"
        )
    # Revoking stays possible for a pair no longer selected: its grants may come from older syncs.
    if granting and not ctx.catalog.allows(permission.verb, permission.noun):
        raise invalid_argument(
            f"entitlement {target.entitlement_id!r}: {target.slug} is not selected by --noun/--verb, "
            "so the grant would never show up in a sync"
        )
    return _Request(target, permission, principal_of(principal, (USER, GROUP), target.entitlement_id))


async def _add(api: ConfluenceAPI, request: _Request) -> list[any_pb2.Any]:
    action = f"grant {request.target.entitlement_id} to {request.subject}"
    with described(action, _hints(request.space_id)):
        found = await find_permission(api, request.space_id, request.subject, request.permission)
        if found.permission_id:
            return outcome.already_exists()
        if request.permission != READ_SPACE and not found.holds_read_space:
            raise _needs_read_space(request)
        key = await space_key(api, request.target.resource)
    with described(f"{action} in space {key}", _hints(key)):
        return await _post(api, request, key)


async def _post(api: ConfluenceAPI, request: _Request, key: str) -> list[any_pb2.Any]:
    permission, subject = request.permission, request.subject
    try:
        await api.add_space_permission(
            key, subject_type=subject.type, identifier=subject.id, operation_key=permission.verb, target=permission.noun
        )
    except ConnectorError as err:
        # Another writer got there between our read and this write; the site words it in a 400.
        refusal = err.message.lower() if err.code == grpc.StatusCode.INVALID_ARGUMENT else ""
        if "already exists" in refusal:
            return outcome.already_exists()
        if "read space" in refusal:
            raise _needs_read_space(request) from err
        raise
    log.info("confluence_space_permission_added", entitlement=request.target.entitlement_id, space_key=key)
    return []


async def _remove(api: ConfluenceAPI, request: _Request) -> list[any_pb2.Any]:
    action = f"revoke {request.target.entitlement_id} from {request.subject}"
    with described(action, _hints(request.space_id)):
        found = await find_permission(api, request.space_id, request.subject, request.permission)
        if not found.permission_id:
            return outcome.already_revoked()
        key = await space_key(api, request.target.resource)
    with described(f"{action} in space {key}", _hints(key)):
        try:
            await api.remove_space_permission(key, permission_id=found.permission_id)
        except ConnectorError as err:
            if err.code != grpc.StatusCode.NOT_FOUND:
                raise
            return outcome.already_revoked()  # deleted since our read (another revoke, a cascade)
    log.info("confluence_space_permission_removed", entitlement=request.target.entitlement_id, space_key=key)
    return [_cascade(request, key)] if request.permission == READ_SPACE else []


def _cascade(request: _Request, key: str) -> any_pb2.Any:
    warning = (
        f"revoking read-space removed every permission of {request.subject} in space {key}: Confluence deletes "
        f"them with read-space; their space:{request.space_id}:* grants disappear at the next sync"
    )
    log.warning(
        "confluence_read_space_cascade",
        entitlement=request.target.entitlement_id,
        space_key=key,
        principal_type=request.subject.type,
        detail="revoking read-space removed all of the principal's permissions in the space (Confluence deletes "
        "them together); their grants disappear at the next sync",
    )
    return outcome.side_effect(warning)


def _needs_read_space(request: _Request) -> ConnectorError:
    return failed_precondition(
        f"{request.subject} does not hold read-space in space {request.space_id}, and Confluence grants no other "
        f"space permission without it: grant {request.read_space_id()} first"
    )


def _hints(space: str) -> Hints:
    return {
        grpc.StatusCode.PERMISSION_DENIED: f"the connector's account needs the Admin permission in space {space} "
        "to change its permissions",
        grpc.StatusCode.NOT_FOUND: f"space {space} does not exist or the connector's account cannot see it",
    }
