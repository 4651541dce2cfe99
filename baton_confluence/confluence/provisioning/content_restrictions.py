"""Grant and revoke `page:<id>:view|edit` and `blogpost:<id>:view|edit` to users and groups.

Writes (Cloud v1, docs/confluence-api.md "Restricted content"): `PUT|DELETE
/wiki/rest/api/content/{id}/restriction/byOperation/{read|update}/user?accountId=` and
`.../byGroupId/{groupId}`. Their answers do not say whether anything changed, so the restriction
is read first, live (`restriction_subjects`), to answer GrantAlreadyExists / GrantAlreadyRevoked
truthfully. Data Center sites lack the write capability: the request fails with "not supported on
Data Center".

Granting `view` succeeds even when the principal still cannot see the content (Confluence's
rule: it must also view the space and pass the view restriction of every ancestor); the result
then carries a GrantMetadata warning saying why (`view_blockers`), and the log says it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import grpc
import structlog

from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.syncer import GrantProvisioner, GrantResult
from baton_confluence.confluence.client import (
    RESTRICTION_WRITES_UNSUPPORTED,
    ConfluenceAPI,
    ContentRestrictionsAPI,
    ContentRestrictionWritesAPI,
    RestrictionList,
    RestrictionOperation,
    RestrictionSubject,
    SubjectType,
)
from baton_confluence.confluence.content_types import ANCESTORS_KEY, OPERATION_OF, SPACE_ID_KEY
from baton_confluence.confluence.grants import grant_expanding_groups
from baton_confluence.confluence.provisioning import outcome
from baton_confluence.confluence.provisioning.context import ProvisioningContext
from baton_confluence.confluence.provisioning.errors import PREFIX, Hints, described, invalid_argument
from baton_confluence.confluence.provisioning.target import Principal, Target, principal_of, target_of
from baton_confluence.confluence.resource_types import GROUP, USER

if TYPE_CHECKING:
    from google.protobuf import any_pb2

log = structlog.get_logger("baton_confluence.confluence.provisioning.content_restrictions")

_HINTS: Hints = {
    grpc.StatusCode.PERMISSION_DENIED: "changing a restriction needs permission to edit the content (and the "
    "space's restrict-content permission)",
    grpc.StatusCode.NOT_FOUND: "the content, the user or the group no longer exists, or the account cannot view "
    "the content; run a sync",
}
READ_SPACE = ("read", "space")


class ContentRestrictionProvisioner(GrantProvisioner):
    """Mixin for the restricted-content syncers (one per content type, `type_id`)."""

    ctx: ProvisioningContext
    type_id: str

    async def grant(self, principal: pb.resource.Resource, entitlement: pb.entitlement.Entitlement) -> GrantResult:
        target, operation = self._target(entitlement)
        who = principal_of(principal, (USER, GROUP), target.entitlement_id)
        reader, writer = _writer(self.ctx.api, target)
        subject = RestrictionSubject(SubjectType(who.type), who.id)
        with described(f"grant {target.entitlement_id} to {who}", _HINTS):
            current = await reader.restriction_subjects(target.resource_id, operation)
            annotations = outcome.already_exists() if subject in current.subjects else []
            if not annotations:
                await writer.add_restriction_subject(target.resource_id, operation, subject)
                log.info("confluence_restriction_added", entitlement=target.entitlement_id)
            if operation is RestrictionOperation.READ:
                blockers = await view_blockers(self.ctx.api, reader, who, target.resource)
                if blockers:
                    warning = f"{who} is listed in the view restriction but still cannot view it: " + "; ".join(
                        blockers
                    )
                    log.warning("confluence_restriction_still_blocked", entitlement=target.entitlement_id,
                                principal=str(who), reasons=blockers)
                    annotations = [*annotations, outcome.side_effect(warning)]
        grant = grant_expanding_groups(target.resource, _slug(operation), who.type, who.id)
        return GrantResult([grant], annotations)

    async def revoke(self, grant: pb.grant.Grant) -> list[any_pb2.Any]:
        target, operation = self._target(grant.entitlement)
        who = principal_of(grant.principal, (USER, GROUP), target.entitlement_id)
        reader, writer = _writer(self.ctx.api, target)
        subject = RestrictionSubject(SubjectType(who.type), who.id)
        with described(f"revoke {target.entitlement_id} from {who}", _HINTS):
            current = await reader.restriction_subjects(target.resource_id, operation)
            if subject not in current.subjects:
                return outcome.already_revoked()
            await writer.remove_restriction_subject(target.resource_id, operation, subject)
        log.info("confluence_restriction_removed", entitlement=target.entitlement_id)
        return []

    def _target(self, entitlement: pb.entitlement.Entitlement) -> tuple[Target, RestrictionOperation]:
        target = target_of(entitlement, self.type_id)
        operation = OPERATION_OF.get(target.slug)
        if operation is None:
            raise invalid_argument(
                f"entitlement {target.entitlement_id!r}: a {self.type_id} has only the view and edit entitlements"
            )
        return target, operation


def _writer(api: ConfluenceAPI, target: Target) -> tuple[ContentRestrictionsAPI, ContentRestrictionWritesAPI]:
    """The site's restriction reads and writes (the same object), or the one error of the rule."""
    if isinstance(api, ContentRestrictionsAPI) and isinstance(api, ContentRestrictionWritesAPI):
        return api, api
    raise ConnectorError(
        grpc.StatusCode.UNIMPLEMENTED, f"{PREFIX}: {target.entitlement_id}: {RESTRICTION_WRITES_UNSUPPORTED}"
    )


def _slug(operation: RestrictionOperation) -> str:
    return next(slug for slug, op in OPERATION_OF.items() if op is operation)


async def view_blockers(
    api: ConfluenceAPI, restrictions: ContentRestrictionsAPI, who: Principal, content: pb.resource.Resource
) -> list[str]:
    """Why `who` cannot view the content although its own view restriction lists them: the space
    (no read-space, directly, through a group or an access class) and every ancestor whose view
    restriction does not list them. Read live; the space and ancestors come from the content's
    profile as the sync stored it (nothing is checked where the request carries no profile)."""
    fields = content.profile.fields
    space_id = fields[SPACE_ID_KEY].string_value if SPACE_ID_KEY in fields else ""
    ancestors: Sequence[str] = (
        [value.string_value for value in fields[ANCESTORS_KEY].list_value.values] if ANCESTORS_KEY in fields else []
    )
    reasons = []
    if space_id and not await _can_read_space(api, who, space_id):
        reasons.append(f"no read-space permission in space {space_id} (directly, through a group or an access class)")
    for ancestor in ancestors:
        layer = await restrictions.restriction_subjects(ancestor, RestrictionOperation.READ)
        if layer.restricted and not await _passes(api, who, layer):
            reasons.append(f"the view restriction of ancestor {ancestor} does not list them or a group of theirs")
    return reasons


async def _can_read_space(api: ConfluenceAPI, who: Principal, space_id: str) -> bool:
    token = ""
    holders: list[tuple[str, str]] = []
    while True:
        page = await api.space_permissions(space_id, token)
        holders.extend(
            (p.principal_type.lower(), p.principal_id) for p in page.items if (p.operation, p.target) == READ_SPACE
        )
        if not page.next_token:
            break
        token = page.next_token
    if any(kind not in (USER, GROUP) for kind, _ in holders):
        return True  # an access class (anonymous, all licensed users...) opens the space to everyone
    if (who.type, who.id) in holders:
        return True
    return who.type == USER and await _in_any_group(api, who.id, [gid for kind, gid in holders if kind == GROUP])


async def _passes(api: ConfluenceAPI, who: Principal, layer: RestrictionList) -> bool:
    if RestrictionSubject(SubjectType(who.type), who.id) in layer.subjects:
        return True
    groups = [s.id for s in layer.subjects if s.type is SubjectType.GROUP]
    return who.type == USER and await _in_any_group(api, who.id, groups)


async def _in_any_group(api: ConfluenceAPI, account_id: str, group_ids: Sequence[str]) -> bool:
    for group_id in group_ids:
        if await api.is_group_member(group_id, account_id):
            return True
    return False

