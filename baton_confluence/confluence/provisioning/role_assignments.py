"""Grant and revoke `space_role_assignment:<sid>:<rid>:assigned` (RBAC mode) to users and groups.

The write is v2 `POST /wiki/api/v2/spaces/{id}/role-assignments` with `[{"principal":
{"principalType", "principalId"}, "roleId"}]`: with `roleId` the principal "is assigned to that
role", without it "the role assignment for that principal is removed, if it exists" (Atlassian's
endpoint description). A principal holds one role per space: the space's Users screen shows one
role per person or group and changing it means picking another in the same dropdown (Atlassian,
"Add, change, or remove people's access from your space"). So granting a role replaces the role
held before; the response warns about it, because C1 shows the old grant until the next sync.

The current role is read first, from the API, filtered to the principal (as upstream, whose
check went through the SDK's hour-long GET cache: it must not).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import grpc
import structlog

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.ids import entitlement_id, grant_id
from baton_confluence.baton.syncer import GrantProvisioner, GrantResult
from baton_confluence.confluence.client import RoleAssignment, SpaceRolesAPI
from baton_confluence.confluence.grants import grant_expanding_groups
from baton_confluence.confluence.provisioning import outcome
from baton_confluence.confluence.provisioning.context import ProvisioningContext
from baton_confluence.confluence.provisioning.errors import Hints, described, invalid_argument
from baton_confluence.confluence.provisioning.target import Principal, Target, principal_of, target_of
from baton_confluence.confluence.resource_types import GROUP, SPACE_ROLE_ASSIGNMENT, USER

if TYPE_CHECKING:
    from google.protobuf import any_pb2


log = structlog.get_logger("baton_confluence.confluence.provisioning.role_assignments")

# A role binding's one entitlement slug; the space_role_assignment syncer takes it from here.
ASSIGNED = "assigned"


@dataclass(frozen=True)
class _Request:
    target: Target
    space_id: str
    role_id: str
    principal: Principal

    @property
    def entry_type(self) -> str:
        return self.principal.type.upper()  # USER / GROUP, the API's principal types


class RoleAssignmentProvisioner(GrantProvisioner):
    """Mixin for the space_role_assignment syncer."""

    ctx: ProvisioningContext

    async def grant(self, principal: pb.resource.Resource, entitlement: pb.entitlement.Entitlement) -> GrantResult:
        request = _request(entitlement, principal)
        annotations = await _assign(self.ctx.space_roles, request)
        grant = grant_expanding_groups(request.target.resource, ASSIGNED, request.principal.type, request.principal.id)
        return GrantResult([grant], annotations)

    async def revoke(self, grant: pb.grant.Grant) -> list[any_pb2.Any]:
        return await _unassign(self.ctx.space_roles, _request(grant.entitlement, grant.principal))


def _request(entitlement: pb.entitlement.Entitlement, principal: pb.resource.Resource) -> _Request:
    target = target_of(entitlement, SPACE_ROLE_ASSIGNMENT)
    if target.slug != ASSIGNED:
        raise invalid_argument(f"entitlement {target.entitlement_id!r}: a role binding has only {ASSIGNED!r}")
    space_id, role_id = _binding(target)
    return _Request(target, space_id, role_id, principal_of(principal, (USER, GROUP), target.entitlement_id))


def _binding(target: Target) -> tuple[str, str]:
    """(space id, role id): from the ScopeBindingTrait when sent, else from `<spaceId>:<roleId>`."""
    trait = ann.find(target.resource.annotations, pb.trait.ScopeBindingTrait)
    if trait is not None and trait.scope_resource_id.resource and trait.role_id.resource:
        return trait.scope_resource_id.resource, trait.role_id.resource
    space_id, _, role_id = target.resource_id.partition(":")
    if not space_id or not role_id:
        raise invalid_argument(
            f"entitlement {target.entitlement_id!r}: {target.resource_id!r} is not a <spaceId>:<roleId> binding"
        )
    return space_id, role_id


async def _assign(api: SpaceRolesAPI, request: _Request) -> list[any_pb2.Any]:
    with described(f"grant {request.target.entitlement_id} to {request.principal}", _hints(request.space_id)):
        held = await current_roles(api, request)
        if request.role_id in held:
            return outcome.already_exists()
        await api.set_role_assignments(
            request.space_id, [RoleAssignment(request.entry_type, request.principal.id, request.role_id)]
        )
    log.info("confluence_space_role_assigned", entitlement=request.target.entitlement_id)
    return [_replaced(request, held)] if held else []


async def _unassign(api: SpaceRolesAPI, request: _Request) -> list[any_pb2.Any]:
    with described(f"revoke {request.target.entitlement_id} from {request.principal}", _hints(request.space_id)):
        if request.role_id not in await current_roles(api, request):
            # Holding another role (or none) means this grant is gone; removing would hit the other role.
            return outcome.already_revoked()
        await api.set_role_assignments(request.space_id, [RoleAssignment(request.entry_type, request.principal.id)])
    log.info("confluence_space_role_unassigned", entitlement=request.target.entitlement_id)
    return []


async def current_roles(api: SpaceRolesAPI, request: _Request) -> list[str]:
    """The role ids the principal holds in the space now (one, or none, in practice)."""
    roles: list[str] = []
    token = ""
    while True:
        page = await api.space_role_assignments(
            request.space_id, token, principal_id=request.principal.id, principal_type=request.entry_type
        )
        roles += [role for item in page.items if (role := item.role_id) and role not in roles]
        if not page.next_token:
            return roles
        token = page.next_token


def _replaced(request: _Request, held: list[str]) -> any_pb2.Any:
    old = [_grant_id(request, role) for role in held]
    warning = (
        f"{request.principal} held role {', '.join(held)} in space {request.space_id}; Confluence gives a "
        f"principal one role per space, so role {request.role_id} replaced it: {', '.join(old)} "
        "disappears at the next sync"
    )
    log.warning(
        "confluence_space_role_replaced",
        entitlement=request.target.entitlement_id,
        principal_type=request.principal.type,
        replaced_roles=held,
        detail="a principal holds one role per space: the new role replaced the old one, whose grant disappears "
        "at the next sync",
    )
    return outcome.side_effect(warning, old)


def _grant_id(request: _Request, role_id: str) -> str:
    binding = entitlement_id(SPACE_ROLE_ASSIGNMENT, f"{request.space_id}:{role_id}", ASSIGNED)
    return grant_id(binding, request.principal.type, request.principal.id)


def _hints(space_id: str) -> Hints:
    return {
        grpc.StatusCode.PERMISSION_DENIED: f"the connector's account needs permission to manage roles in space "
        f"{space_id} (space Admin role)",
        grpc.StatusCode.NOT_FOUND: f"space {space_id} does not exist, the connector's account cannot see it, or "
        "space roles are not available on the site",
    }
