"""Pages and blog posts of a simulated site, with their own restrictions (FACTS.md §Restricted content).

A content's restriction per operation (`read` = view, `update` = edit) lists users (account ids)
and groups (ids), in insertion order. Listings are by space and type, ordered by content id.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

PAGE = "page"
BLOGPOST = "blogpost"
CONTENT_TYPES = (PAGE, BLOGPOST)
READ = "read"
UPDATE = "update"
OPERATIONS = (READ, UPDATE)


@dataclass
class Restriction:
    users: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.users and not self.groups


@dataclass
class Content:
    id: int
    type: str  # page | blogpost
    title: str
    space_id: int
    ancestors: tuple[int, ...]  # root first (pages only; blog posts have none)
    restrictions: dict[str, Restriction] = field(default_factory=lambda: {op: Restriction() for op in OPERATIONS})

    @property
    def restricted(self) -> bool:
        return any(not r.empty for r in self.restrictions.values())


class ContentStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.by_id: dict[int, Content] = {}
        self.by_space: dict[tuple[int, str], list[int]] = {}  # (space id, type) -> ids, ascending

    def add(self, content: Content) -> None:
        self.by_id[content.id] = content
        self.by_space.setdefault((content.space_id, content.type), []).append(content.id)

    def listing(self, space_id: int, content_type: str) -> list[int]:
        return self.by_space.get((space_id, content_type), [])

    def all(self) -> list[Content]:
        """Every content (tests and benchmarks: O(site))."""
        with self.lock:
            return list(self.by_id.values())

    def add_subject(self, content_id: int, operation: str, kind: str, subject_id: str) -> bool:
        """Add a user or group to a restriction; False when it was listed already."""
        with self.lock:
            listed = self._list(content_id, operation, kind)
            if subject_id in listed:
                return False
            listed.append(subject_id)
            return True

    def remove_subject(self, content_id: int, operation: str, kind: str, subject_id: str) -> bool:
        with self.lock:
            listed = self._list(content_id, operation, kind)
            if subject_id not in listed:
                return False
            listed.remove(subject_id)
            return True

    def _list(self, content_id: int, operation: str, kind: str) -> list[str]:
        restriction = self.by_id[content_id].restrictions[operation]
        return restriction.users if kind == "user" else restriction.groups
