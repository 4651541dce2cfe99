"""A small connector for runtime tests: users, teams, shelves with child books, and documents.

Teams hold document permissions that expand to their members; books carry a static entitlement;
page sizes and injected failures are configurable so pagination and resume can be exercised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import grpc
from google.protobuf import any_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.baton.grant import new_grant
from baton_confluence.baton.ids import entitlement_id
from baton_confluence.baton.sync.completeness import note
from baton_confluence.baton.syncer import Connector, Page, ResourceGetter, ResourceSyncer, StaticEntitlements

Trait = pb.resource.ResourceType.Trait


@dataclass
class Library:
    users: list[str]
    teams: dict[str, list[str]]  # team -> members
    shelves: dict[str, list[str]]  # shelf -> books
    documents: dict[str, dict[str, list[str]]]  # doc -> {"users": [...], "teams": [...]}
    # Known to the "site" and fetchable by id, but returned by no listing (found by lookups only).
    unlisted_users: list[str] = field(default_factory=list)
    unlisted_teams: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Faults:
    """Raise `code` once, on the n-th call of `method` (1-based)."""

    method: str = ""
    nth: int = 0
    code: grpc.StatusCode = grpc.StatusCode.INTERNAL
    calls: dict[str, int] = field(default_factory=dict)
    fired: bool = False

    def tick(self, method: str) -> None:
        self.calls[method] = self.calls.get(method, 0) + 1
        if not self.fired and method == self.method and self.calls[method] == self.nth:
            self.fired = True
            raise ConnectorError(self.code, f"injected failure in {method}")


def rtype(
    type_id: str, traits: Sequence[int] = (), annotations: Sequence[any_pb2.Any] = ()
) -> pb.resource.ResourceType:
    return pb.resource.ResourceType(id=type_id, display_name=type_id.title(), traits=traits, annotations=annotations)


USER = rtype("user", [Trait.TRAIT_USER], [ann.pack(pb.resource_tree.SkipEntitlementsAndGrants())])
TEAM = rtype("team", [Trait.TRAIT_GROUP])
SHELF = rtype("shelf")
BOOK = rtype("book", annotations=[ann.pack(pb.resource_tree.SkipEntitlements())])
DOCUMENT = rtype("document")


def resource(type_id: str, rid: str, annotations: Sequence[any_pb2.Any] = (), parent: str = "") -> pb.resource.Resource:
    res = pb.resource.Resource(id=pb.resource.ResourceId(resource_type=type_id, resource=rid), display_name=rid.upper())
    res.annotations.extend(annotations)
    if parent:
        res.parent_resource_id.CopyFrom(pb.resource.ResourceId(resource_type="shelf", resource=parent))
    return res


def paged(items: list, token: str, size: int) -> tuple[list, str]:
    start = int(token or 0)
    chunk = items[start : start + size]
    nxt = str(start + size) if start + size < len(items) else ""
    return chunk, nxt


class _Base(ResourceSyncer):
    def __init__(self, lib: Library, page_size: int, faults: Faults, rt: pb.resource.ResourceType) -> None:
        self.lib, self.page_size, self.faults, self._rt = lib, page_size, faults, rt

    def resource_type(self) -> pb.resource.ResourceType:
        return self._rt

    async def entitlements(self, res: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        return Page([])

    async def grants(self, res: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        return Page([])


class Users(_Base, ResourceGetter):
    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        self.faults.tick("users")
        chunk, nxt = paged(self.lib.users, token, self.page_size)
        users = [resource("user", u, [ann.pack(pb.trait.UserTrait())]) for u in chunk]
        return Page(users, nxt, [note({"users.listed": len(users)})])

    async def get(self, resource_id: pb.resource.ResourceId) -> pb.resource.Resource:
        self.faults.tick(f"get-user:{resource_id.resource}")
        if resource_id.resource not in self.lib.users + self.lib.unlisted_users:
            raise ConnectorError(grpc.StatusCode.NOT_FOUND, f"no user {resource_id.resource}")
        return resource("user", resource_id.resource, [ann.pack(pb.trait.UserTrait())])


class Teams(_Base, ResourceGetter):
    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        chunk, nxt = paged(sorted(self.lib.teams), token, self.page_size)
        return Page([resource("team", t, [ann.pack(pb.trait.GroupTrait())]) for t in chunk], nxt)

    async def get(self, resource_id: pb.resource.ResourceId) -> pb.resource.Resource:
        self.faults.tick(f"get-team:{resource_id.resource}")
        if resource_id.resource not in {**self.lib.teams, **self.lib.unlisted_teams}:
            raise ConnectorError(grpc.StatusCode.NOT_FOUND, f"no team {resource_id.resource}")
        return resource("team", resource_id.resource, [ann.pack(pb.trait.GroupTrait())])

    async def entitlements(self, res: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        eid = entitlement_id("team", res.id.resource, "member")
        return Page([pb.entitlement.Entitlement(id=eid, resource=res, display_name="member", slug="member")])

    async def grants(self, res: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        self.faults.tick("team-grants")
        members, nxt = paged({**self.lib.teams, **self.lib.unlisted_teams}[res.id.resource], token, self.page_size)
        return Page([new_grant(res, "member", "user", m) for m in members], nxt)


class Shelves(_Base):
    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        child = ann.pack(pb.resource_tree.ChildResourceType(resource_type_id="book"))
        chunk, nxt = paged(sorted(self.lib.shelves), token, self.page_size)
        return Page([resource("shelf", s, [child]) for s in chunk], nxt)


class Books(_Base, StaticEntitlements):
    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        if parent is None:
            return Page([])
        chunk, nxt = paged(self.lib.shelves[parent.resource], token, self.page_size)
        return Page([resource("book", b, parent=parent.resource) for b in chunk], nxt)

    async def static_entitlements(self, token: str) -> Page[pb.entitlement.Entitlement]:
        return Page([pb.entitlement.Entitlement(display_name="reader", slug="reader", description="may read")])


class Documents(_Base):
    async def list(self, parent: pb.resource.ResourceId | None, token: str) -> Page[pb.resource.Resource]:
        chunk, nxt = paged(sorted(self.lib.documents), token, self.page_size)
        return Page([resource("document", d) for d in chunk], nxt)

    async def entitlements(self, res: pb.resource.Resource, token: str) -> Page[pb.entitlement.Entitlement]:
        eid = entitlement_id("document", res.id.resource, "edit")
        return Page([pb.entitlement.Entitlement(id=eid, resource=res, display_name="edit", slug="edit")])

    async def grants(self, res: pb.resource.Resource, token: str) -> Page[pb.grant.Grant]:
        self.faults.tick("document-grants")
        doc = self.lib.documents[res.id.resource]
        holders = [("user", u) for u in doc.get("users", [])] + [("team", t) for t in doc.get("teams", [])]
        chunk, nxt = paged(holders, token, self.page_size)
        grants = []
        for ptype, pid in chunk:
            g = new_grant(res, "edit", ptype, pid)
            if ptype == "team":
                g.annotations.append(
                    ann.pack(pb.grant_annotations.GrantExpandable(entitlement_ids=[f"team:{pid}:member"]))
                )
            grants.append(g)
        return Page(grants, nxt)


class LibraryConnector(Connector):
    def __init__(self, lib: Library, page_size: int = 2, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self._syncers: list[ResourceSyncer] = [
            cls(lib, page_size, self.faults, rt)
            for cls, rt in ((Users, USER), (Teams, TEAM), (Shelves, SHELF), (Books, BOOK), (Documents, DOCUMENT))
        ]
        self.cleaned: list[str] = []

    def metadata(self) -> pb.connector.ConnectorMetadata:
        return pb.connector.ConnectorMetadata(display_name="Library")

    def syncers(self) -> Sequence[ResourceSyncer]:
        return self._syncers

    async def cleanup(self, active_sync_id: str) -> None:
        self.cleaned.append(active_sync_id)


def sample_library() -> Library:
    return Library(
        users=["u1", "u2", "u3", "u4", "u5"],
        teams={"t1": ["u1", "u2", "u3"], "t2": ["u3", "u4"]},
        shelves={"s1": ["b1", "b2", "b3"], "s2": []},
        documents={
            "d1": {"users": ["u1"], "teams": ["t1"]},
            "d2": {"teams": ["t1", "t2"]},
            "d3": {"users": ["u5"]},
        },
    )
