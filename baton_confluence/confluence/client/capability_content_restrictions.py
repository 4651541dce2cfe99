"""`ContentRestrictionsAPI`: the optional capability of reading (and writing) page and blog-post
restrictions, for `--sync-restricted-content` (docs/restricted-content.md).

A site's API implements a Protocol when its product has the endpoints: Cloud (client/api.py) and
Data Center (datacenter/api.py) both read (`ContentRestrictionsAPI`); only Cloud writes
(`ContentRestrictionWritesAPI`; Data Center lacks it, and the provisioner says "not supported on
Data Center"). Callers check `isinstance(api, ...)` before asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from baton_confluence.confluence.client.pagination import ListingPage


class ContentType(StrEnum):
    """The v1 content types that carry restrictions and that the connector syncs."""

    PAGE = "page"
    BLOGPOST = "blogpost"


class RestrictionOperation(StrEnum):
    """The two restriction operations: `read` (view, inherited by descendants) and `update` (edit)."""

    READ = "read"
    UPDATE = "update"


class SubjectType(StrEnum):
    USER = "user"
    GROUP = "group"


@dataclass(frozen=True, slots=True)
class RestrictionSubject:
    """One user or group a restriction lists, by the id the connector's resources use (Cloud:
    accountId / group id; Data Center: userKey / group name)."""

    type: SubjectType
    id: str


@dataclass(frozen=True, slots=True)
class RestrictionList:
    """Who one operation's restriction lists. `complete` is False when the inline list was
    truncated; `restriction_subjects` then reads the rest."""

    subjects: tuple[RestrictionSubject, ...] = ()
    complete: bool = True
    # Groups the site named without an id (the v1 schema makes a group's `id` nullable): counted
    # in the completeness report, never guessed.
    groups_without_id: int = 0

    @property
    def restricted(self) -> bool:
        return bool(self.subjects) or self.groups_without_id > 0


@dataclass(frozen=True, slots=True)
class ContentItem:
    """One page or blog post, with its own restrictions as the listing showed them inline."""

    id: str
    type: ContentType
    title: str
    ancestor_ids: tuple[str, ...]  # root first, as v1 `ancestors` lists them
    read: RestrictionList
    update: RestrictionList

    @property
    def restricted(self) -> bool:
        """Whether the content carries a restriction of its own."""
        return self.read.restricted or self.update.restricted


@runtime_checkable
class ContentRestrictionsAPI(Protocol):
    async def content_page(self, space_key: str, content_type: ContentType, token: str) -> ListingPage[ContentItem]:
        """One page of a space's pages or blog posts, with ancestors and restrictions inline."""
        ...

    async def restriction_subjects(self, content_id: str, operation: RestrictionOperation) -> RestrictionList:
        """Everyone one operation's restriction lists, read whole (for lists truncated inline)."""
        ...

    async def probe_content(self, space_key: str) -> None:
        """Validate's one request: a page of one item of the space's content, restrictions inline."""
        ...


@runtime_checkable
class ContentRestrictionWritesAPI(Protocol):
    async def add_restriction_subject(
        self, content_id: str, operation: RestrictionOperation, subject: RestrictionSubject
    ) -> None: ...

    async def remove_restriction_subject(
        self, content_id: str, operation: RestrictionOperation, subject: RestrictionSubject
    ) -> None: ...


RESTRICTION_WRITES_UNSUPPORTED = "changing page and blog post restrictions is not supported on Data Center"
