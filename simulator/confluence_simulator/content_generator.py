"""Builds the pages and blog posts of a simulated site (content_spec.py), deterministically.

Pages form trees (a page's parent is an earlier page of its space, up to `max_depth` deep), so
restrictions sit at several levels of a chain; blog posts have no parents. A restricted content
restricts view, edit or both; it lists a few users (any human account, so some listed users
cannot view the space: the misconfiguration reviewers look for) and sometimes groups. A few lists
are longer than the inline limit, so the listing truncates them.
"""

from __future__ import annotations

import random

from confluence_simulator.content_spec import ContentSpec
from confluence_simulator.content_state import BLOGPOST, PAGE, READ, UPDATE, Content
from confluence_simulator.state import SiteState

_FIRST_ID = 20_000_000
_WORDS = ("Salaries", "Legal hold", "Incident", "Roadmap", "M&A", "Onboarding", "Budget", "Design", "Notes", "Plan")


def generate_content(spec: ContentSpec, seed: int, state: SiteState) -> None:
    rng = random.Random(seed ^ spec.seed_offset)
    humans = sorted(u.account_id for u in state.users.values() if u.account_type == "atlassian")
    groups = sorted(state.groups)
    next_id = _FIRST_ID
    for space_id in sorted(state.spaces):
        depth: dict[int, int] = {}
        ancestors_of: dict[int, tuple[int, ...]] = {}
        pages: list[int] = []
        for content_type, count in ((PAGE, spec.pages_per_space), (BLOGPOST, spec.blogposts_per_space)):
            for i in range(count):
                next_id += rng.randint(1, 5)
                ancestors: tuple[int, ...] = ()
                if content_type == PAGE and pages and rng.random() < 0.7:
                    parent = rng.choice(pages)
                    if depth[parent] < spec.max_depth:
                        ancestors = (*ancestors_of[parent], parent)
                content = Content(next_id, content_type, f"{rng.choice(_WORDS)} {i + 1}", space_id, ancestors)
                if rng.random() < spec.restricted_fraction:
                    _restrict(spec, rng, content, humans, groups)
                if content_type == PAGE:
                    pages.append(next_id)
                    depth[next_id] = len(ancestors)
                    ancestors_of[next_id] = ancestors
                state.content.add(content)


def _restrict(spec: ContentSpec, rng: random.Random, content: Content, humans: list[str], groups: list[str]) -> None:
    roll = rng.random()
    operations = [READ] if roll < 0.45 else [UPDATE] if roll < 0.7 else [READ, UPDATE]
    big = rng.random() < spec.big_list_fraction
    for operation in operations:
        restriction = content.restrictions[operation]
        size = spec.inline_limit + rng.randint(1, 10) if big else rng.randint(1, 4)
        restriction.users = rng.sample(humans, min(size, len(humans)))
        if groups and rng.random() < 0.5:
            restriction.groups = rng.sample(groups, min(rng.randint(1, 2), len(groups)))
