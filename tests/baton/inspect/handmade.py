"""A small c1z written by hand with two full syncs, whose every answer is known in advance.

Sync 1: Ada and Bob are in Engineers, which may read Handbook (HAND); Ada may also read it
directly. The bot administers Handbook and Ops; anonymous users may read Ops; a deleted account
still reads Ops. Sync 2: Bob left Engineers, Carol reads Ops directly, Ops is renamed Operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from google.protobuf import struct_pb2

from baton_confluence.baton import annotations as annos
from baton_confluence.baton import pb
from baton_confluence.baton.c1z import SyncStore

Trait = pb.resource.ResourceType
UserTrait = pb.trait.UserTrait


def rtype(type_id: str, *traits: Trait.Trait.ValueType) -> pb.resource.ResourceType:
    return pb.resource.ResourceType(id=type_id, display_name=type_id.title(), traits=list(traits))


def account(
    rid: str, name: str, email: str, kind: UserTrait.AccountType.ValueType, status: UserTrait.Status.Status.ValueType
) -> pb.resource.Resource:
    trait = UserTrait(account_type=kind, status=UserTrait.Status(status=status))
    if email:
        trait.emails.append(UserTrait.Email(address=email, is_primary=True))
    return pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type="user", resource=rid),
        display_name=name,
        annotations=[annos.pack(trait)],
    )


def thing(rtype_id: str, rid: str, name: str, key: str = "") -> pb.resource.Resource:
    r = pb.resource.Resource(id=pb.resource.ResourceId(resource_type=rtype_id, resource=rid), display_name=name)
    if key:
        r.profile.CopyFrom(struct_pb2.Struct(fields={f"{rtype_id}_key": struct_pb2.Value(string_value=key)}))
    return r


def entitlement(res: pb.resource.Resource, slug: str) -> pb.entitlement.Entitlement:
    return pb.entitlement.Entitlement(
        id=f"{res.id.resource_type}:{res.id.resource}:{slug}", resource=res, display_name=slug, slug=slug
    )


def grant(
    ent: pb.entitlement.Entitlement, principal: pb.resource.Resource, sources: dict[str, bool] | None = None
) -> pb.grant.Grant:
    """A grant; `sources` as expansion records them (entitlement id -> is_direct)."""
    g = pb.grant.Grant(
        id=f"{ent.id}:{principal.id.resource_type}:{principal.id.resource}",
        entitlement=ent,
        principal=pb.resource.Resource(id=principal.id),
    )
    for source, is_direct in (sources or {}).items():
        g.sources.sources[source].is_direct = is_direct
    return g


def derived(ent: pb.entitlement.Entitlement, principal: pb.resource.Resource, source: str) -> pb.grant.Grant:
    """A grant expansion created: immutable, only the source in `sources`."""
    g = grant(ent, principal, {source: True})
    g.annotations.append(annos.pack(pb.grant_annotations.GrantImmutable()))
    return g


ADA = account("ada", "Ada Lovelace", "ada@example.com", UserTrait.ACCOUNT_TYPE_HUMAN, UserTrait.Status.STATUS_ENABLED)
BOB = account("bob", "Bob Dylan", "", UserTrait.ACCOUNT_TYPE_HUMAN, UserTrait.Status.STATUS_DISABLED)
BOT = account("bot", "Deploy Bot", "", UserTrait.ACCOUNT_TYPE_SERVICE, UserTrait.Status.STATUS_ENABLED)
GONE = account("gone", "gone", "", UserTrait.ACCOUNT_TYPE_UNSPECIFIED, UserTrait.Status.STATUS_DELETED)
CAROL = account(
    "carol", "Carol Shaw", "carol@example.com", UserTrait.ACCOUNT_TYPE_HUMAN, UserTrait.Status.STATUS_ENABLED
)
ENG = thing("group", "eng", "Engineers")
ANON = thing("access_class", "anonymous-users", "Anonymous users")
HAND = thing("space", "s1", "Handbook", "HAND")
OPS = thing("space", "s2", "Ops", "OPS")
OPERATIONS = thing("space", "s2", "Operations", "OPS")


@dataclass(frozen=True)
class Handmade:
    path: Path
    first_sync: str
    second_sync: str


def _write_sync(path: Path, *, second: bool) -> str:
    ops = OPERATIONS if second else OPS
    member = entitlement(ENG, "member")
    read1, admin1 = entitlement(HAND, "read-space"), entitlement(HAND, "administer-space")
    read2, admin2 = entitlement(ops, "read-space"), entitlement(ops, "administer-space")
    users = [ADA, BOT, GONE] + ([CAROL] if second else [BOB])
    grants = [
        grant(member, ADA),
        grant(read1, ENG),
        grant(read1, ADA, {read1.id: True, member.id: True}),
        grant(admin1, BOT),
        grant(admin2, BOT),
        grant(read2, ANON),
        grant(read2, GONE),
    ]
    if second:
        grants.append(grant(read2, CAROL))
    else:
        grants += [grant(member, BOB), derived(read1, BOB, member.id)]
    with SyncStore.open(path) as store:
        sync_id, _ = store.start_or_resume_sync()
        store.put_resource_types(
            [
                rtype("user", Trait.TRAIT_USER),
                rtype("group", Trait.TRAIT_GROUP),
                rtype("space"),
                rtype("access_class", Trait.TRAIT_GROUP),
            ]
        )
        store.put_resources([*users, ENG, ANON, HAND, ops])
        store.put_entitlements([member, read1, admin1, read2, admin2])
        store.put_grants(grants)
        store.end_sync()
        store.finalize()
    return sync_id


def write_handmade(path: Path) -> Handmade:
    first = _write_sync(path, second=False)
    second = _write_sync(path, second=True)
    return Handmade(path, first, second)


def write_single(path: Path) -> str:
    return _write_sync(path, second=False)
