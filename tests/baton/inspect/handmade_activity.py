"""A hand-made c1z with the site's global permissions and last-activity dates (issue 20), written
from the plain tables below so that tests can work out every answer from the tables themselves.

The sync ends at ENDED (the c1z's clock is replaced while it is written: a fake clock, so "now"
for dormancy is known exactly). Accounts were last active DAYS before that, or never (None).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

from google.protobuf import timestamp_pb2

from baton_confluence.baton import annotations as annos
from baton_confluence.baton import pb
from baton_confluence.baton.c1z import SyncStore, timefmt
from tests.baton.inspect.handmade import Trait, derived, entitlement, grant, rtype, thing

UserTrait = pb.trait.UserTrait
HUMAN, SERVICE = UserTrait.ACCOUNT_TYPE_HUMAN, UserTrait.ACCOUNT_TYPE_SERVICE
ENABLED, DISABLED = UserTrait.Status.STATUS_ENABLED, UserTrait.Status.STATUS_DISABLED

ENDED_TEXT = "2026-06-30 12:00:00"  # as the c1z stores it: local wall-clock time, no zone
ENDED = datetime(2026, 6, 30, 12, 0, 0).astimezone(UTC)


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    kind: UserTrait.AccountType.ValueType
    status: UserTrait.Status.Status.ValueType
    days: float | None  # last active this many days before ENDED; None: never

    @property
    def last_active(self) -> datetime | None:
        if self.days is None:
            return None
        return (ENDED - timedelta(days=self.days)).replace(microsecond=0)


ACCOUNTS = (
    Account("ada", "Ada Lovelace", HUMAN, ENABLED, 3),
    Account("bob", "Bob Dylan", HUMAN, ENABLED, 200),
    Account("carol", "Carol Shaw", HUMAN, ENABLED, None),
    Account("dave", "Dave Brubeck", HUMAN, ENABLED, 120),
    Account("erin", "Erin Brockovich", HUMAN, ENABLED, 90),
    Account("fay", "Fay Wray", HUMAN, ENABLED, 89.9),
    Account("gus", "Gus Grissom", HUMAN, DISABLED, 300),
    Account("bot", "Deploy Bot", SERVICE, ENABLED, None),
    Account("hal", "Hal Foster", HUMAN, ENABLED, 400),
)
SITE = ("site", "cloud-1", "Example site")
SPACE = ("space", "s1", "Handbook")
GROUPS = {"admins": ("Confluence admins", ("ada", "bob")), "users": ("Confluence users", ("ada", "bob", "dave"))}
ANONYMOUS = ("access_class", "anonymous-users", "Anonymous users")
SITE_SLUGS = ("use-application", "administer-application", "administer-system", "create-space")
SPACE_SLUGS = ("read-space", "administer-space")
# (resource, slug, principal `type:id`): granted directly; a group's grants reach its members.
DIRECT_GRANTS = (
    (SITE, "administer-application", "group:admins"),
    (SITE, "administer-system", "user:bob"),
    (SITE, "use-application", "group:users"),
    (SITE, "use-application", "user:gus"),
    (SITE, "use-application", "access_class:anonymous-users"),
    (SPACE, "administer-space", "user:carol"),
    (SPACE, "administer-space", "user:bot"),
    (SPACE, "read-space", "user:erin"),
    (SPACE, "read-space", "user:fay"),
)


def _account(a: Account, with_dates: bool) -> pb.resource.Resource:
    trait = UserTrait(account_type=a.kind, status=UserTrait.Status(status=a.status))
    if with_dates and a.last_active is not None:
        stamp = timestamp_pb2.Timestamp()
        stamp.FromDatetime(a.last_active)
        trait.last_login.CopyFrom(stamp)
    return pb.resource.Resource(
        id=pb.resource.ResourceId(resource_type="user", resource=a.id),
        display_name=a.name,
        annotations=[annos.pack(trait)],
    )


@contextmanager
def _clock_at_end() -> Iterator[None]:
    with mock.patch.object(timefmt, "now_str", lambda: ENDED_TEXT):
        yield


def write_activity(path: Path, *, with_dates: bool = True) -> str:
    """The file; without dates it is the same sync as one made without `--last-activity`."""
    site, space, anon = thing(*SITE[:2], SITE[2]), thing(*SPACE[:2], SPACE[2]), thing(*ANONYMOUS[:2], ANONYMOUS[2])
    groups = {gid: thing("group", gid, name) for gid, (name, _) in GROUPS.items()}
    accounts = {a.id: _account(a, with_dates) for a in ACCOUNTS}
    principals = {
        **{f"user:{k}": v for k, v in accounts.items()},
        **{f"group:{k}": v for k, v in groups.items()},
        "access_class:anonymous-users": anon,
    }
    ents = {("site", s): entitlement(site, s) for s in SITE_SLUGS}
    ents |= {("space", s): entitlement(space, s) for s in SPACE_SLUGS}
    members = {gid: entitlement(g, "member") for gid, g in groups.items()}
    grants = [grant(members[gid], accounts[uid]) for gid, (_, uids) in GROUPS.items() for uid in uids]
    for (rtype_id, _, _), slug, who in DIRECT_GRANTS:
        ent = ents[(rtype_id, slug)]
        grants.append(grant(ent, principals[who]))
        if who.startswith("group:"):
            gid = who.removeprefix("group:")
            grants += [derived(ent, accounts[uid], members[gid].id) for uid in GROUPS[gid][1]]
    with _clock_at_end(), SyncStore.open(path) as store:
        sync_id, _ = store.start_or_resume_sync()
        store.put_resource_types(
            [
                rtype("user", Trait.TRAIT_USER),
                rtype("group", Trait.TRAIT_GROUP),
                rtype("site"),
                rtype("space"),
                rtype("access_class", Trait.TRAIT_GROUP),
            ]
        )
        store.put_resources([*accounts.values(), *groups.values(), anon, site, space])
        store.put_entitlements([*members.values(), *ents.values()])
        store.put_grants(grants)
        store.end_sync()
        store.finalize()
    return sync_id
