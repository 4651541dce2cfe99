"""Who holds what in one sync of a c1z, and how: directly or through the entitlements a grant's
`sources` name (docs/protocol.md §2.2: grant expansion gives a group's members the group's
grants and records the group's membership entitlement as the source).

Everything here streams rows from the reader's SQLite database; memory stays bounded by the
resource cache, whatever the number of grants. The status, account type and email of an account
come from the Baton user trait, so nothing here knows which connector wrote the file.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.c1z import C1ZReader
from baton_confluence.baton.errors import UsageError
from baton_confluence.baton.ids import resource_key, split_resource_key

_IMMUTABLE_URL = ann.type_url(pb.grant_annotations.GrantImmutable)
# Enough for every account and space of a large site; past it, lookups go back to SQLite
# (an indexed point query), so memory never grows with the file.
_CACHE_SIZE = 100_000

_K = TypeVar("_K")
_V = TypeVar("_V")


class InspectError(UsageError):
    """A question the file cannot answer as asked (an unknown principal, a missing sync): exit 2."""


class Status(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    DELETED = "deleted"
    UNSPECIFIED = ""


class AccountType(StrEnum):
    HUMAN = "human"
    SERVICE = "service"
    SYSTEM = "system"
    UNSPECIFIED = ""


_TRAIT_STATUS = {
    pb.trait.UserTrait.Status.STATUS_ENABLED: Status.ENABLED,
    pb.trait.UserTrait.Status.STATUS_DISABLED: Status.DISABLED,
    pb.trait.UserTrait.Status.STATUS_DELETED: Status.DELETED,
}
_RESOURCE_STATUS = {
    pb.resource.Status.RESOURCE_STATUS_ENABLED: Status.ENABLED,
    pb.resource.Status.RESOURCE_STATUS_DISABLED: Status.DISABLED,
    pb.resource.Status.RESOURCE_STATUS_DELETED: Status.DELETED,
}
_ACCOUNT_TYPE = {
    pb.trait.UserTrait.AccountType.ACCOUNT_TYPE_HUMAN: AccountType.HUMAN,
    pb.trait.UserTrait.AccountType.ACCOUNT_TYPE_SERVICE: AccountType.SERVICE,
    pb.trait.UserTrait.AccountType.ACCOUNT_TYPE_SYSTEM: AccountType.SYSTEM,
}


@dataclass(frozen=True, order=True)
class ResourceRef:
    """`<resource type>:<resource id>`, the way grant ids and the Baton tools name a resource."""

    type: str
    id: str

    def __str__(self) -> str:
        return resource_key(self.type, self.id)

    @classmethod
    def parse(cls, text: str, flag: str) -> ResourceRef:
        """`type:id`; the id may itself hold colons (Cloud account ids do)."""
        key = split_resource_key(text)
        if key is None:
            raise InspectError(f"{flag} must be <resource type>:<id>, e.g. user:557058:abc or group:123 (got {text!r})")
        return cls(*key)


@dataclass(frozen=True)
class ResourceInfo:
    """A resource as a reviewer reads it: name, key, and for accounts email, type and status."""

    ref: ResourceRef
    name: str
    key: str = ""
    email: str = ""
    account_type: AccountType = AccountType.UNSPECIFIED
    status: Status = Status.UNSPECIFIED
    known: bool = True  # False: the sync holds no such resource (only grants name it)
    last_active: datetime | None = None  # UserTrait.last_login (UTC); None when the sync has no date

    @property
    def inactive(self) -> bool:
        return self.status in (Status.DISABLED, Status.DELETED)

    @property
    def last_active_text(self) -> str:
        """The last-active moment as RFC 3339 UTC (`2026-03-01T09:30:00Z`), or '' without one: the
        one format of every output (tables, JSON, CSV, the review page)."""
        return self.last_active.strftime("%Y-%m-%dT%H:%M:%SZ") if self.last_active else ""


@dataclass(frozen=True)
class Via:
    """A source entitlement a derived grant came from, and the resource it belongs to (a group)."""

    entitlement_id: str
    resource: ResourceRef


@dataclass(frozen=True)
class Holding:
    """One grant: `principal` holds `entitlement_id` (slug `slug` on `resource`), directly and/or via sources."""

    grant_id: str
    entitlement_id: str
    slug: str
    resource: ResourceRef
    principal: ResourceRef
    direct: bool
    via: tuple[Via, ...]

    @property
    def source_unknown(self) -> bool:
        """Created by expansion (GrantImmutable) with no source recorded: neither direct nor via."""
        return not self.direct and not self.via


def resource_info(resource: pb.resource.Resource) -> ResourceInfo:
    """The one place that reads names, keys, emails, account types, statuses and last-active dates
    from a resource."""
    ref = ResourceRef(resource.id.resource_type, resource.id.resource)
    trait = ann.find(resource.annotations, pb.trait.UserTrait)
    status = _RESOURCE_STATUS.get(resource.status.status, Status.UNSPECIFIED)
    email = account_type = last_active = None
    if trait is not None:
        if trait.HasField("last_login"):
            last_active = trait.last_login.ToDatetime(tzinfo=UTC)
        status = _TRAIT_STATUS.get(trait.status.status, status)
        primary = [e.address for e in trait.emails if e.is_primary] or [e.address for e in trait.emails]
        email = primary[0] if primary else ""
        account_type = _ACCOUNT_TYPE.get(trait.account_type, AccountType.UNSPECIFIED)
    return ResourceInfo(
        ref=ref,
        name=resource.display_name or ref.id,
        key=_key(resource),
        email=email or "",
        account_type=account_type or AccountType.UNSPECIFIED,
        status=status,
        last_active=last_active,
    )


def _key(resource: pb.resource.Resource) -> str:
    """A resource's short key: its external id, else a profile field `key` or `<type>_key`
    (a space's key, say), which is how connectors name one without a dedicated trait."""
    if resource.external_id.id:
        return resource.external_id.id
    fields = resource.profile.fields
    for name in ("key", f"{resource.id.resource_type}_key"):
        if name in fields and fields[name].HasField("string_value"):
            return fields[name].string_value
    return ""


def holding_of(grant: pb.grant.Grant, slug: str, resolve: ResourceResolver) -> Holding:
    """How the grant's principal holds it. Expansion marks the grants it creates GrantImmutable
    with only the source in `sources`; a grant the connector emitted that expansion also reached
    lists its own entitlement there too (docs/protocol.md §2.2 step 3)."""
    direct, sources = grant_sources(grant)
    return Holding(
        grant_id=grant.id,
        entitlement_id=grant.entitlement.id,
        slug=slug,
        resource=ResourceRef(grant.entitlement.resource.id.resource_type, grant.entitlement.resource.id.resource),
        principal=ResourceRef(grant.principal.id.resource_type, grant.principal.id.resource),
        direct=direct,
        via=tuple(Via(source, resolve.entitlement_resource(source)) for source in sources),
    )


def grant_sources(grant: pb.grant.Grant) -> tuple[bool, list[str]]:
    """(whether the principal holds the grant directly, the other entitlements it came through).

    A grant with no sources is direct unless expansion created it (GrantImmutable); one whose
    sources list its own entitlement is direct too, whatever else they list.
    """
    sources = grant.sources.sources
    immutable = any(a.type_url == _IMMUTABLE_URL for a in grant.annotations)
    direct = grant.entitlement.id in sources or (not sources and not immutable)
    return direct, sorted(s for s in sources if s != grant.entitlement.id)


class ResourceResolver:
    """Names and entitlement owners for one sync, looked up by index and cached (bounded)."""

    def __init__(self, reader: C1ZReader, sync_id: str | None) -> None:
        self._reader = reader
        self._sync_id = sync_id
        self._infos: OrderedDict[ResourceRef, ResourceInfo] = OrderedDict()
        self._owners: OrderedDict[str, ResourceRef] = OrderedDict()
        self._slugs: OrderedDict[str, str] = OrderedDict()

    def info(self, ref: ResourceRef) -> ResourceInfo:
        found = self._infos.get(ref)
        if found is not None:
            self._infos.move_to_end(ref)
            return found
        resource = self._reader.resource_in(self._sync_id, ref.type, ref.id)
        info = resource_info(resource) if resource else ResourceInfo(ref, ref.id, known=False)
        self._remember(self._infos, ref, info)
        return info

    def entitlement_resource(self, entitlement_id: str) -> ResourceRef:
        """The resource an entitlement belongs to (the group of `group:<id>:member`)."""
        found = self._owners.get(entitlement_id)
        if found is None:
            owner = self._reader.entitlement_owner_in(self._sync_id, entitlement_id)
            # An entitlement missing from the sync: its id still starts with `<type>:<id>:`; ids
            # with colons cannot be split reliably, so the type and the rest stand in.
            found = ResourceRef(*owner) if owner else _guess_owner(entitlement_id)
            self._remember(self._owners, entitlement_id, found)
        return found

    def slug(self, entitlement_id: str) -> str:
        found = self._slugs.get(entitlement_id)
        if found is None:
            entitlement = self._reader.entitlement_in(self._sync_id, entitlement_id)
            found = entitlement_slug(entitlement) if entitlement else ""
            found = found or entitlement_id.rsplit(":", 1)[-1]
            self._remember(self._slugs, entitlement_id, found)
        return found

    @staticmethod
    def _remember(cache: OrderedDict[_K, _V], key: _K, value: _V) -> None:
        cache[key] = value
        if len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)


def entitlement_slug(entitlement: pb.entitlement.Entitlement) -> str:
    return entitlement.slug or entitlement.display_name or entitlement.id.rsplit(":", 1)[-1]


def _guess_owner(entitlement_id: str) -> ResourceRef:
    rtype, _, rest = entitlement_id.partition(":")
    return ResourceRef(rtype, rest.rsplit(":", 1)[0])


class AccessView:
    """The access questions of one sync: what a principal holds, who holds an entitlement or
    anything on a resource, and every holding in turn (for exports and the review page)."""

    def __init__(self, reader: C1ZReader, sync_id: str | None = None) -> None:
        self.reader = reader
        self.sync_id = sync_id if sync_id is not None else reader.sync_id
        self.resolver = ResourceResolver(reader, self.sync_id)

    def user_type(self) -> str:
        """The resource type of accounts (the one with the user trait), for `--user ID`."""
        types = [rt.id for rt in self.reader.resource_types() if pb.resource.ResourceType.TRAIT_USER in rt.traits]
        if not types:
            raise InspectError(f"{self.reader.path}: no resource type has the user trait; use --principal <type>:<id>")
        return types[0]

    def require(self, ref: ResourceRef, what: str) -> ResourceInfo:
        info = self.resolver.info(ref)
        if not info.known and not self._has_grants(ref):
            raise InspectError(
                f"{self.reader.path}: no {what} {ref} in sync {self.sync_id}; "
                f"list them with `inspect resources --resource-type {ref.type}`"
            )
        return info

    def require_entitlement(self, entitlement_id: str) -> None:
        if not self.reader.has_entitlement_in(self.sync_id, entitlement_id):
            raise InspectError(
                f"{self.reader.path}: no entitlement {entitlement_id} in sync {self.sync_id}; "
                "list them with `inspect entitlements`"
            )

    def _has_grants(self, ref: ResourceRef) -> bool:
        return self.reader.principal_has_grants_in(self.sync_id, ref.type, ref.id)

    def held_by(self, principal: ResourceRef) -> Iterator[Holding]:
        """What the principal holds, by resource and entitlement."""
        return self._holdings(self.reader.grants_in(self.sync_id, principal=(principal.type, principal.id)))

    def holders_of(self, entitlement_id: str) -> Iterator[Holding]:
        return self._holdings(self.reader.grants_in(self.sync_id, entitlement_id=entitlement_id))

    def holders_on(self, resource: ResourceRef) -> Iterator[Holding]:
        return self._holdings(self.reader.grants_in(self.sync_id, resource=(resource.type, resource.id)))

    def all_holdings(self, *, by_entitlement: bool = False) -> Iterator[Holding]:
        """Every grant of the sync, in rowid order or by entitlement; both orders are those of an
        index (no sort), and an entitlement id starts with its resource's, so one resource's
        grants come together."""
        return self._holdings(self.reader.grants_in(self.sync_id, by_entitlement=by_entitlement))

    def _holdings(self, grants: Iterator[tuple[str, pb.grant.Grant]]) -> Iterator[Holding]:
        for entitlement_id, grant in grants:
            yield holding_of(grant, self.resolver.slug(entitlement_id), self.resolver)
