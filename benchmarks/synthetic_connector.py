"""A generated connector with no network: users, teams and documents granted to teams.

Each document is granted to one team, so expansion derives (documents x team size) grants;
the defaults give about 650,000 grants, most of them derived.
"""

from __future__ import annotations

from collections.abc import Sequence

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.grant import new_grant
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.syncer import Connector, Page, ResourceSyncer

Trait = pb.resource.ResourceType.Trait
PAGE = 250
USER = pb.resource.ResourceType(
    id="user",
    display_name="User",
    traits=[Trait.TRAIT_USER],
    annotations=[ann.pack(pb.resource_tree.SkipEntitlementsAndGrants())],
)
TEAM = pb.resource.ResourceType(id="team", display_name="Team", traits=[Trait.TRAIT_GROUP])
DOCUMENT = pb.resource.ResourceType(id="document", display_name="Document")


def _res(rt: str, rid: str, *annotations: pb.resource_tree.SkipEntitlementsAndGrants) -> pb.resource.Resource:
    res = pb.resource.Resource(id=pb.resource.ResourceId(resource_type=rt, resource=rid), display_name=f"{rt} {rid}")
    res.annotations.extend(ann.pack(a) for a in annotations)
    return res


def _page(items: list[str], token: str) -> tuple[list[str], str]:
    start = int(token or 0)
    return items[start : start + PAGE], (str(start + PAGE) if start + PAGE < len(items) else "")


class _Syncer(ResourceSyncer):
    def __init__(self, rt: pb.resource.ResourceType, ids: list[str]) -> None:
        self.rt, self.ids = rt, ids

    def resource_type(self) -> pb.resource.ResourceType:
        return self.rt

    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        chunk, nxt = _page(self.ids, token)
        trait = {"user": pb.trait.UserTrait(), "team": pb.trait.GroupTrait()}.get(self.rt.id)
        resources = [_res(self.rt.id, i) for i in chunk]
        if trait is not None:
            for r in resources:
                r.annotations.append(ann.pack(trait))
        return Page(resources, nxt)

    async def entitlements(self, resource: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        slug = "member" if self.rt.id == "team" else "edit"
        ent = pb.entitlement.Entitlement(
            id=entitlement_id(self.rt.id, resource.id.resource, slug),
            resource=resource,
            display_name=f"{resource.display_name} {slug}",
            description=f"Can {slug} {resource.display_name}",
            slug=slug,
            grantable_to=[USER, TEAM] if self.rt.id == "document" else [USER],
        )
        return Page([ent])

    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        return Page([])


class _Teams(_Syncer):
    def __init__(self, ids: list[str], members: dict[str, list[str]]) -> None:
        super().__init__(TEAM, ids)
        self.members = members

    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        chunk, nxt = _page(self.members[resource.id.resource], token)
        return Page([new_grant(resource, "member", "user", u) for u in chunk], nxt)


class _Documents(_Syncer):
    def __init__(self, ids: list[str], holders: dict[str, str]) -> None:
        super().__init__(DOCUMENT, ids)
        self.holders = holders

    async def grants(self, resource: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        team = self.holders[resource.id.resource]
        grant = new_grant(resource, "edit", "team", team)
        grant.annotations.append(
            ann.pack(pb.grant_annotations.GrantExpandable(entitlement_ids=[f"team:{team}:member"]))
        )
        return Page([grant])


class SyntheticConnector(Connector):
    def __init__(self, users: int = 2000, teams: int = 100, team_size: int = 500, documents: int = 1250) -> None:
        user_ids = [f"u{i:06d}" for i in range(users)]
        team_ids = [f"t{i:04d}" for i in range(teams)]
        members = {t: [user_ids[(n * 37 + k) % users] for k in range(team_size)] for n, t in enumerate(team_ids)}
        doc_ids = [f"d{i:06d}" for i in range(documents)]
        holders = {d: team_ids[n % teams] for n, d in enumerate(doc_ids)}
        self._syncers: list[ResourceSyncer] = [
            _Syncer(USER, user_ids),
            _Teams(team_ids, members),
            _Documents(doc_ids, holders),
        ]

    def metadata(self) -> pb.connector.ConnectorMetadata:
        return pb.connector.ConnectorMetadata(display_name="Synthetic")

    def syncers(self) -> Sequence[ResourceSyncer]:
        return self._syncers
