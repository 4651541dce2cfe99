"""How much content a simulated site holds, how much of it is restricted, and the switches for
what the facts leave open (FACTS.md §Restricted content).

Content always exists in the state; the connector reads it only with `--sync-restricted-content`,
so the default demo's sync output does not change. Generation uses its own random stream, so
adding content never changes the users, groups, spaces or permissions of a seed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContentSpec:
    pages_per_space: int = 8
    blogposts_per_space: int = 2
    restricted_fraction: float = 0.25  # content with a restriction of its own
    max_depth: int = 4  # page trees: a page's ancestors are at most this many
    # Inline restriction lists (the listing's expand) serve at most this many users and groups
    # each, with `_links.next` when more remain. Not documented: a guess (FACTS.md).
    inline_limit: int = 25
    # Of the restricted content, this fraction lists more users than `inline_limit`.
    big_list_fraction: float = 0.05
    # Every v1 content endpoint (listing, restrictions, restriction writes) answers 410 Gone, as
    # reported on the API gateway for OAuth tokens since August 2026.
    v1_content_gone: bool = False
    # Only the restriction endpoints (`/content/{id}/restriction/...`) answer 410, the listing still
    # works: the same report, for a gateway that retires them one by one (assumed, to test each path).
    v1_restrictions_gone: bool = False
    seed_offset: int = 0x5EED_C047  # the content generator's stream: spec.seed ^ this

    def __post_init__(self) -> None:
        for name in ("restricted_fraction", "big_list_fraction"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within 0..1, got {value}")
        if self.inline_limit < 1 or self.max_depth < 0:
            raise ValueError("inline_limit must be at least 1 and max_depth at least 0")
