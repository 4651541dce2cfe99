"""Which spaces a sync covers: personal, archived and key include/exclude filters.

Filtering the space listing filters everything hanging off a space (permission entitlements and
grants, role bindings), because those are only asked for listed spaces. What the API can filter
is pushed into the request (`status=current`, `keys=` for short include lists) to save pages;
every filter is also checked on each returned space, so a site that ignores a parameter changes
nothing. A space fetched by id (a targeted sync) passes the same rule (`excluded_by`). Keys are matched exactly, as Confluence stores them (global keys upper case, personal
keys `~accountId`).
"""

from __future__ import annotations

from baton_confluence.confluence.client import Space
from baton_confluence.confluence.options import ConfluenceOptions

MAX_KEYS_PER_REQUEST = 250  # the v2 `keys` filter's documented maximum


class SpaceFilter:
    def __init__(self, options: ConfluenceOptions) -> None:
        self.include = frozenset(options.include_space_keys)
        self.exclude = frozenset(options.exclude_space_keys)
        self.skip_personal = options.skip_personal_spaces
        self.skip_archived = options.skip_archived_spaces

    def request_status(self) -> str | None:
        return "current" if self.skip_archived else None

    def request_keys(self) -> list[str] | None:
        if not self.include or len(self.include) > MAX_KEYS_PER_REQUEST:
            return None
        return sorted(self.include)

    def wants(self, space: Space) -> bool:
        return self.excluded_by(space) is None

    def excluded_by(self, space: Space) -> str | None:
        """The flag that leaves `space` out of the sync, or None when it is synced."""
        if self.include and space.key not in self.include:
            return "--include-spaces"
        if space.key in self.exclude:
            return "--exclude-spaces"
        if self.skip_personal and space.type == "personal":
            return "--skip-personal-spaces"
        if self.skip_archived and space.status == "archived":
            return "--skip-archived-spaces"
        return None
