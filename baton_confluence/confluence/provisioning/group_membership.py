"""Grant and revoke `group:<gid>:member` (users only).

Writes: v1 `POST /group/userByGroupId?groupId=` `{"accountId"}` answers 201 with an empty body
(docs/confluence-api.md; upstream #32 reported success as failure by insisting on JSON), and
`DELETE /group/userByGroupId?groupId=&accountId=` answers 204, also when the user is not a member
(v1 OpenAPI: "A 204 is returned if the user is not part of the group"). Neither answer says
whether anything changed, so membership is read first, live from the API (`is_group_member`: the
user's groups on Cloud, the group's members on Data Center), to report GrantAlreadyExists /
GrantAlreadyRevoked truthfully.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import grpc
import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.syncer import GrantProvisioner, GrantResult
from baton_confluence.confluence.client import ConfluenceAPI
from baton_confluence.confluence.grants import GROUP_MEMBER_SLUG, grant_expanding_groups
from baton_confluence.confluence.provisioning import outcome
from baton_confluence.confluence.provisioning.context import ProvisioningContext
from baton_confluence.confluence.provisioning.errors import Hints, described, invalid_argument
from baton_confluence.confluence.provisioning.target import Principal, Target, principal_of, target_of
from baton_confluence.confluence.resource_types import GROUP, USER

if TYPE_CHECKING:
    from google.protobuf import any_pb2


log = structlog.get_logger("baton_confluence.confluence.provisioning.group_membership")

_HINTS: Hints = {
    grpc.StatusCode.PERMISSION_DENIED: "changing group membership needs a site admin (or user access admin) "
    "account; groups synced from an identity provider (SCIM) can only be changed there",
    grpc.StatusCode.NOT_FOUND: "the group or the user no longer exists on the site; run a sync",
}


class GroupMemberProvisioner(GrantProvisioner):
    """Mixin for the group syncer."""

    ctx: ProvisioningContext

    async def grant(self, principal: pb.resource.Resource, entitlement: pb.entitlement.Entitlement) -> GrantResult:
        target = _member_target(entitlement)
        user = principal_of(principal, (USER,), target.entitlement_id)
        annotations = await _add(self.ctx.api, target, user)
        return GrantResult([grant_expanding_groups(target.resource, GROUP_MEMBER_SLUG, USER, user.id)], annotations)

    async def revoke(self, grant: pb.grant.Grant) -> list[any_pb2.Any]:
        target = _member_target(grant.entitlement)
        user = principal_of(grant.principal, (USER,), target.entitlement_id)
        return await _remove(self.ctx.api, target, user)


async def _add(api: ConfluenceAPI, target: Target, user: Principal) -> list[any_pb2.Any]:
    with described(f"grant {target.entitlement_id} to {user}", _HINTS):
        if await api.is_group_member(target.resource_id, user.id):
            return outcome.already_exists()
        await api.add_group_member(group_id=target.resource_id, account_id=user.id)
    log.info("confluence_group_member_added", entitlement=target.entitlement_id)
    return []


async def _remove(api: ConfluenceAPI, target: Target, user: Principal) -> list[any_pb2.Any]:
    with described(f"revoke {target.entitlement_id} from {user}", _HINTS):
        if not await api.is_group_member(target.resource_id, user.id):
            return outcome.already_revoked()
        await api.remove_group_member(group_id=target.resource_id, account_id=user.id)
    log.info("confluence_group_member_removed", entitlement=target.entitlement_id)
    return []


def _member_target(entitlement: pb.entitlement.Entitlement) -> Target:
    target = target_of(entitlement, GROUP)
    if target.slug != GROUP_MEMBER_SLUG:
        raise invalid_argument(
            f"entitlement {target.entitlement_id!r}: a group has only the {GROUP_MEMBER_SLUG!r} entitlement"
        )
    return target
