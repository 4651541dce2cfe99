"""The space-permission catalog: which `verb-noun` pairs become entitlements on a space.

Confluence names a space permission by an operation key (the *verb*) and a target type (the
*noun*). The upstream connector emitted the full cross product of its 5 nouns x 8 verbs (40 per
space), although most of those pairs do not exist in Confluence: they can never hold a grant and
fail when requested. Here only real pairs are emitted. docs/permissions.md has the table of every
pair, its name on the permission screen and its source; in short:

- `DOCUMENTED_WRITE_PAIRS`, from documentation: the 14 pairs Atlassian lists for the v1
  add-permission request (`SpacePermissionRequest`). They are also exactly the 14 checkboxes of
  the Cloud space-permission screen (View, Delete own, Add/Archive/Delete on the pages row,
  Add/Delete for blogs, comments and attachments, Restrictions, Export, Admin). The v2 read
  endpoint (`/spaces/{id}/permissions`) reports these pairs; upstream's test data, taken from
  a real site, holds only them.
- `NEWER_TARGET_PAIRS`, from documentation but read-only: on today's screen the pages row is
  named "Pages, whiteboards, databases, and Smart Links" (Add, Archive, Delete) and "Add" also
  covers folders (Atlassian's page on Confluence roles), and the v2 read schema's `targetType`
  enum has `whiteboard`, `database`, `embed` (Smart Links) and `folder`. So create, delete and
  archive on whiteboard/database/embed, and create on folder; delete on folder rests on the enum
  alone (it was in the catalogue before this table was sourced, and stays). Whether the endpoint
  reports them as records of their own, or only the page pair, is documented nowhere and no
  report was found: the client must work either way. Atlassian documents no v1 write pair for
  them, so provisioning them may be refused. They are **opt-in** (not in the defaults), so the
  default entitlement set does not grow behind existing installations' backs.
- Not accepted, for want of a source: `update-space` (the upstream README's example; no screen
  row, no documented pair; the verb `update` stays known because it is an upstream default and
  existing configurations list it, it simply selects no pair); `copy`, `move`, `purge`,
  `purge_version`, `restore`, `use`, `create_space` (the v2 key enum is shared with content
  operation checks; no source names them as space permissions); "Mail > Delete" (an older screen
  row, CONFCLOUD-72012; the v2 target enum has no mail target); `archive-folder`; `application`
  and `userProfile` targets (site-level). A site reporting one of these is counted as an
  *unknown* pair by `classify_reported_pair`, never synced.

Defaults, when `--noun`/`--verb` are empty, are the upstream runtime defaults (not the UI
"suggested" values), in noun-major order: exactly the 14 documented pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import grpc
import structlog

from baton_confluence.baton.errors import ConnectorError

log = structlog.get_logger("baton_confluence.confluence.permissions")

DEFAULT_NOUNS: tuple[str, ...] = ("attachment", "blogpost", "comment", "page", "space")
DEFAULT_VERBS: tuple[str, ...] = (
    "administer",
    "archive",
    "create",
    "delete",
    "export",
    "read",
    "restrict_content",
    "update",
)
NEWER_NOUNS: tuple[str, ...] = ("database", "embed", "folder", "whiteboard")
KNOWN_NOUNS: tuple[str, ...] = DEFAULT_NOUNS + NEWER_NOUNS
KNOWN_VERBS: tuple[str, ...] = DEFAULT_VERBS

_CONTENT = ("attachment", "blogpost", "comment", "page")
# One rule per source; docs/permissions.md lists each pair with its source.
DOCUMENTED_WRITE_PAIRS: frozenset[tuple[str, str]] = frozenset(
    [(verb, noun) for verb in ("create", "delete") for noun in _CONTENT]
    + [(verb, "space") for verb in ("read", "export", "administer", "restrict_content", "delete")]
    + [("archive", "page")]
)
NEWER_TARGET_PAIRS: frozenset[tuple[str, str]] = frozenset(
    [(verb, noun) for verb in ("create", "delete", "archive") for noun in ("whiteboard", "database", "embed")]
    + [(verb, "folder") for verb in ("create", "delete")]
)
VALID_PAIRS: frozenset[tuple[str, str]] = DOCUMENTED_WRITE_PAIRS | NEWER_TARGET_PAIRS

SEPARATOR = "-"


@dataclass(frozen=True)
class Permission:
    verb: str  # Confluence operation key
    noun: str  # Confluence target type

    @property
    def slug(self) -> str:
        """The entitlement slug, as upstream: `<verb>-<noun>`."""
        return f"{self.verb}{SEPARATOR}{self.noun}"


@dataclass(frozen=True)
class PermissionCatalog:
    """The selected pairs, noun-major in catalog order (the order entitlements are emitted in)."""

    permissions: tuple[Permission, ...]
    _members: frozenset[Permission] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_members", frozenset(self.permissions))

    def __iter__(self) -> Iterator[Permission]:
        return iter(self.permissions)

    def __len__(self) -> int:
        return len(self.permissions)

    def allows(self, verb: str, noun: str) -> bool:
        return Permission(verb, noun) in self._members

    @classmethod
    def select(cls, nouns: Iterable[str] = (), verbs: Iterable[str] = ()) -> PermissionCatalog:
        """The pairs for a noun and verb selection; empty selections mean the defaults.

        Raises INVALID_ARGUMENT for an unknown noun or verb, or when no valid pair remains.
        """
        nouns, verbs = tuple(nouns), tuple(verbs)
        chosen_nouns = _choose(nouns, KNOWN_NOUNS, DEFAULT_NOUNS, "noun")
        chosen_verbs = _choose(verbs, KNOWN_VERBS, DEFAULT_VERBS, "verb")
        pairs = tuple(
            Permission(verb, noun) for noun in chosen_nouns for verb in chosen_verbs if (verb, noun) in VALID_PAIRS
        )
        if not pairs:
            raise ConnectorError(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"baton-confluence: no valid space permission in nouns {list(chosen_nouns)} x verbs "
                f"{list(chosen_verbs)}; valid pairs (verb-noun): {', '.join(valid_slugs())}",
            )
        # Only what the operator typed is worth a warning; the default `update` verb pairs with
        # nothing by design.
        _warn_unpaired(pairs, chosen_nouns if _given(nouns) else (), chosen_verbs if _given(verbs) else ())
        return cls(pairs)


def valid_slugs() -> list[str]:
    return [Permission(verb, noun).slug for noun in KNOWN_NOUNS for verb in KNOWN_VERBS if (verb, noun) in VALID_PAIRS]


def parse_slug(slug: str) -> Permission | None:
    """The permission an entitlement slug names, or None if it is not a valid pair."""
    verb, sep, noun = slug.partition(SEPARATOR)
    if not sep or (verb, noun) not in VALID_PAIRS:
        return None
    return Permission(verb, noun)


class ReportedPair(StrEnum):
    """What becomes of a (verb, noun) pair a site reports in a space-permission listing."""

    SELECTED = "selected"  # in the catalogue: synced as a grant
    KNOWN_UNSELECTED = "known_unselected"  # a real pair the configuration did not select
    UNKNOWN = "unknown"  # not a pair this connector knows (see the module docstring)


def classify_reported_pair(catalog: PermissionCatalog, verb: str, noun: str) -> ReportedPair:
    """Why a reported pair is or is not synced, so that a sync can count what it skipped by
    reason and pair (a completeness report tells "you did not ask for it" from "we do not know
    it"). Keys are compared as the site spells them, like `PermissionCatalog.allows`.
    """
    if catalog.allows(verb, noun):
        return ReportedPair.SELECTED
    if (verb, noun) in VALID_PAIRS:
        return ReportedPair.KNOWN_UNSELECTED
    return ReportedPair.UNKNOWN


def _given(values: tuple[str, ...]) -> bool:
    return any(value.strip() for value in values)


def _choose(given: Iterable[str], known: tuple[str, ...], defaults: tuple[str, ...], kind: str) -> tuple[str, ...]:
    wanted = {value.strip().lower() for value in given if value.strip()}
    if not wanted:
        return defaults
    unknown = sorted(wanted - set(known))
    if unknown:
        raise ConnectorError(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"baton-confluence: unknown {kind} {', '.join(repr(u) for u in unknown)}; "
            f"valid {kind}s: {', '.join(known)}",
        )
    # Catalog order, not the caller's, so that entitlement order is stable across configurations.
    return tuple(value for value in known if value in wanted)


def _warn_unpaired(pairs: tuple[Permission, ...], nouns: tuple[str, ...], verbs: tuple[str, ...]) -> None:
    used_nouns = {p.noun for p in pairs}
    used_verbs = {p.verb for p in pairs}
    idle = [n for n in nouns if n not in used_nouns] + [v for v in verbs if v not in used_verbs]
    if idle:
        log.warning(
            "confluence_permission_terms_unused",
            terms=idle,
            detail="these nouns/verbs form no valid Confluence space permission with the rest of the selection",
        )
