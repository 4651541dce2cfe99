"""The v1 content and content-restriction endpoints, shared by Cloud and Data Center.

Both products serve the same v1 shapes (Cloud under `/wiki/rest/api`, Data Center under
`<context path>/rest/api`); what differs is the field that names a user or a group, given as a
`SubjectIds`. Facts (docs/confluence-api.md "Restricted content"; the v1 OpenAPI document):

- `GET {base}/content?spaceKey=&type=page|blogpost&start=&limit=&expand=ancestors,
  restrictions.read.restrictions.user,...group,restrictions.update.restrictions.user,...group`
  lists a space's content with its own restrictions inline (`type` defaults to `page`, so it is
  always sent). Content is `{id, type, title, ancestors: [Content], restrictions: {read, update:
  ContentRestriction}}`; a ContentRestriction's `restrictions.user` is a UserArray and
  `restrictions.group` a GroupArray (`results`, `start`, `limit`, `size`, `_links`).
- An inline array can be truncated; whether it is follows the one v1 paging rule
  (pagination.py `v1_page`): a `_links.next`, or a page as full as its `limit`. Then
  `GET {base}/content/{id}/restriction/byOperation/{read|update}?start=&limit=` pages the users
  and the groups together (one `start` for both lists).
- Writes (Cloud): `PUT|DELETE .../restriction/byOperation/{op}/user?accountId=` and
  `.../byOperation/{op}/byGroupId/{groupId}`.

Pages are requested by rebuilding the query from the offset token, never by following a link's
host (client/pagination.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baton_confluence.confluence.client.capability_content_restrictions import (
    ContentItem,
    ContentType,
    RestrictionList,
    RestrictionOperation,
    RestrictionSubject,
    SubjectType,
)
from baton_confluence.confluence.client.pagination import ListingPage, v1_page, v1_start
from baton_confluence.confluence.client.records import ident, obj, text
from baton_confluence.confluence.client.transport import ConfluenceHTTP
from baton_confluence.confluence.client.urls import QueryParams, api_path

# "one request per 50 items": the page size Elastic's connector sends with these expansions.
CONTENT_PAGE_SIZE = 50
# byOperation/{op}: documented default 100 ("may be restricted by fixed system limits").
RESTRICTION_PAGE_SIZE = 100
# An inline array that echoes no `limit` is taken as full at this size: the schema documents no
# inline limit, so a list this long is read again whole rather than trusted (one extra request).
INLINE_LIMIT_ASSUMED = 100
CONTENT_EXPAND = ",".join(
    ["ancestors"]
    + [f"restrictions.{op}.restrictions.{kind}" for op in RestrictionOperation for kind in SubjectType]
)


@dataclass(frozen=True, slots=True)
class SubjectIds:
    """Which JSON field carries the id the connector's resources use, per product."""

    user_field: str  # Cloud: accountId; Data Center: userKey
    group_field: str  # Cloud: id; Data Center: name (DC groups have no id)


CLOUD_SUBJECT_IDS = SubjectIds(user_field="accountId", group_field="id")
DATACENTER_SUBJECT_IDS = SubjectIds(user_field="userKey", group_field="name")


class ContentRestrictionReads:
    """Mixin of an API class (it has `http`): `ContentRestrictionsAPI` over v1."""

    http: ConfluenceHTTP
    content_base: str  # the v1 root: Cloud `/wiki/rest/api`, Data Center `/rest/api`
    subject_ids: SubjectIds

    async def content_page(self, space_key: str, content_type: ContentType, token: str) -> ListingPage[ContentItem]:
        start = v1_start(token)
        params: QueryParams = {
            "spaceKey": space_key,
            "type": content_type.value,
            "status": "current",
            "start": start,
            "limit": CONTENT_PAGE_SIZE,
            "expand": CONTENT_EXPAND,
        }
        response = await self.http.get_json(f"{self.content_base}/content", params)
        page = v1_page(response.data, start=start, asked_limit=CONTENT_PAGE_SIZE, rate_limit=response.rate_limit)
        items = [item for raw in page.items if (item := self._content(raw, content_type)) is not None]
        return ListingPage(items, page.next_token, page.rate_limit)

    async def probe_content(self, space_key: str) -> None:
        """One item, one expansion: not a URL the sync fetches (Validate's rule)."""
        params: QueryParams = {
            "spaceKey": space_key,
            "type": ContentType.PAGE.value,
            "limit": 1,
            "expand": "restrictions.read.restrictions.user",
        }
        await self.http.get_json(f"{self.content_base}/content", params)

    async def restriction_subjects(self, content_id: str, operation: RestrictionOperation) -> RestrictionList:
        path = api_path(f"{self.content_base}/content/{{}}/restriction/byOperation/{{}}", content_id, operation.value)
        found: dict[RestrictionSubject, None] = {}
        without_id = 0
        start = 0
        while True:
            params: QueryParams = {
                "start": start,
                "limit": RESTRICTION_PAGE_SIZE,
                "expand": "restrictions.user,restrictions.group",
            }
            response = await self.http.get_json(path, params)
            arrays = obj(obj(response.data).get("restrictions"))
            more = False
            received = 0
            for kind in SubjectType:
                array = obj(arrays.get(kind.value))
                chunk = self._subjects(kind, array, start)
                found.update(dict.fromkeys(chunk.subjects))
                without_id += chunk.groups_without_id
                raw = array.get("results")
                received = max(received, len(raw) if isinstance(raw, list) else 0)
                more = more or not chunk.complete
            if not more or received == 0:
                return RestrictionList(tuple(found), True, without_id)
            start += received

    # --- parsing ----------------------------------------------------------------------------
    def _content(self, raw: dict[str, Any], content_type: ContentType) -> ContentItem | None:
        content_id = ident(raw.get("id"))
        if not content_id:
            return None
        ancestors = raw.get("ancestors")
        ancestor_ids = tuple(
            found for a in (ancestors if isinstance(ancestors, list) else []) if (found := ident(obj(a).get("id")))
        )
        restrictions = obj(raw.get("restrictions"))
        return ContentItem(
            id=content_id,
            type=content_type,
            title=text(raw.get("title")),
            ancestor_ids=ancestor_ids,
            read=self._inline(obj(restrictions.get(RestrictionOperation.READ.value))),
            update=self._inline(obj(restrictions.get(RestrictionOperation.UPDATE.value))),
        )

    def _inline(self, restriction: dict[str, Any]) -> RestrictionList:
        """One operation's lists as a ContentRestriction shows them (`restrictions.user|group`)."""
        arrays = obj(restriction.get("restrictions"))
        users = self._subjects(SubjectType.USER, obj(arrays.get("user")), 0)
        groups = self._subjects(SubjectType.GROUP, obj(arrays.get("group")), 0)
        return RestrictionList(
            users.subjects + groups.subjects, users.complete and groups.complete, groups.groups_without_id
        )

    def _subjects(self, kind: SubjectType, array: dict[str, Any], start: int) -> RestrictionList:
        page = v1_page(array, start=start, asked_limit=INLINE_LIMIT_ASSUMED)
        field = self.subject_ids.user_field if kind is SubjectType.USER else self.subject_ids.group_field
        subjects = []
        without_id = 0
        for item in page.items:
            subject_id = ident(item.get(field))
            if subject_id:
                subjects.append(RestrictionSubject(kind, subject_id))
            elif kind is SubjectType.GROUP:
                without_id += 1
        return RestrictionList(tuple(subjects), not page.next_token, without_id)



class ContentRestrictionWrites(ContentRestrictionReads):
    """Mixin adding `ContentRestrictionWritesAPI` (Cloud)."""

    async def add_restriction_subject(
        self, content_id: str, operation: RestrictionOperation, subject: RestrictionSubject
    ) -> None:
        path, params = self._subject_path(content_id, operation, subject)
        await self.http.put_json(path, None, params)

    async def remove_restriction_subject(
        self, content_id: str, operation: RestrictionOperation, subject: RestrictionSubject
    ) -> None:
        path, params = self._subject_path(content_id, operation, subject)
        await self.http.delete(path, params)


    def _subject_path(
        self, content_id: str, operation: RestrictionOperation, subject: RestrictionSubject
    ) -> tuple[str, QueryParams]:
        prefix = api_path(f"{self.content_base}/content/{{}}/restriction/byOperation/{{}}", content_id, operation.value)
        if subject.type is SubjectType.GROUP:
            return prefix + api_path("/byGroupId/{}", subject.id), {}
        return prefix + "/user", {self.subject_ids.user_field: subject.id}
