"""The resources a targeted (partial) sync is about: `--sync-resources` and a task's
`targeted_sync_resources` (docs/protocol.md §1.5, §2.1).

On the command line each target is either upstream's resource BID,
`bid:r:[<parent type>/<parent id>/]<type>/<id>` (`\\` escapes `:`, `/` and `\\`), or the shorter
`<type>:<id>`, split at the first colon so ids that contain colons (Confluence account ids) need
no escaping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from baton_confluence.baton import pb
from baton_confluence.baton.errors import UsageError
from baton_confluence.baton.ids import resource_key, split_resource_key

BID_PREFIX = "bid:r:"
FORMS = "<type>:<id> or bid:r:[<parent type>/<parent id>/]<type>/<id>"


@dataclass(frozen=True)
class SyncTarget:
    resource_type: str
    resource_id: str
    parent_type: str = ""
    parent_id: str = ""

    @classmethod
    def of(cls, resource: pb.resource.Resource) -> SyncTarget:
        """The target a task names with a (possibly bare) Resource message."""
        parent = resource.parent_resource_id
        return cls(resource.id.resource_type, resource.id.resource, parent.resource_type, parent.resource)

    @property
    def resource_id_message(self) -> pb.resource.ResourceId:
        return pb.resource.ResourceId(resource_type=self.resource_type, resource=self.resource_id)

    @property
    def parent_id_message(self) -> pb.resource.ResourceId | None:
        if not (self.parent_type and self.parent_id):
            return None
        return pb.resource.ResourceId(resource_type=self.parent_type, resource=self.parent_id)

    def __str__(self) -> str:
        return resource_key(self.resource_type, self.resource_id)


def parse_target(text: str) -> SyncTarget:
    """One `--sync-resources` value; UsageError with both accepted forms otherwise."""
    value = text.strip()
    if value.startswith(BID_PREFIX):
        parts = _split_bid(value[len(BID_PREFIX) :], value)
        if len(parts) == 2 and all(parts):
            return SyncTarget(parts[0], parts[1])
        if len(parts) == 4 and all(parts):
            return SyncTarget(parts[2], parts[3], parts[0], parts[1])
        raise UsageError(f"--sync-resources: {value!r} is not a resource BID; expected {FORMS}")
    key = split_resource_key(value)
    if key is None:
        raise UsageError(f"--sync-resources: {value!r} names no resource; expected {FORMS}")
    return SyncTarget(*key)


def parse_targets(values: Iterable[str]) -> tuple[SyncTarget, ...]:
    """Every `--sync-resources` value parsed, as `unique_targets`."""
    return unique_targets(parse_target(v) for v in values if v.strip())


def unique_targets(targets: Iterable[SyncTarget]) -> tuple[SyncTarget, ...]:
    """Duplicates dropped (first kept), as upstream dedupes a sync's targets."""
    return tuple(dict.fromkeys(targets))


def _split_bid(body: str, whole: str) -> list[str]:
    """The `/`-separated parts of a BID's resource part, unescaped."""
    parts, current, escaped = [], [], False
    for char in body:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "/":
            parts.append("".join(current))
            current = []
        elif char == ":":
            raise UsageError(f"--sync-resources: {whole!r} has an unescaped ':'; expected {FORMS}")
        else:
            current.append(char)
    if escaped:
        raise UsageError(f"--sync-resources: {whole!r} ends in a lone '\\'; expected {FORMS}")
    parts.append("".join(current))
    return parts
