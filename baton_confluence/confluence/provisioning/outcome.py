"""The annotations a Grant or Revoke response carries.

GrantAlreadyExists / GrantAlreadyRevoked tell the caller nothing changed (upstream rule 13).

Side effects the caller did not ask for (Confluence removing all of a subject's permissions when
its read-space is revoked; a new space role replacing the old one) travel as baton-sdk's own
`GrantMetadata{metadata: Struct}` rather than a message of ours: C1 and the Go tooling already
know that type, and a Struct carries both the sentence for a human (`warning`) and the grant ids
for a machine (`affected_grants`), which stay visible in C1 until the next sync.
"""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf import any_pb2, struct_pb2

from baton_confluence.baton import annotations as ann
from baton_confluence.baton import pb
from baton_confluence.baton.runner.provision import side_effect_warning


def already_exists() -> list[any_pb2.Any]:
    return [ann.pack(pb.grant_annotations.GrantAlreadyExists())]


def already_revoked() -> list[any_pb2.Any]:
    return [ann.pack(pb.grant_annotations.GrantAlreadyRevoked())]


def side_effect(warning: str, affected_grants: Sequence[str] = ()) -> any_pb2.Any:
    """A GrantMetadata saying what else the change did, and which grants it touched."""
    metadata = struct_pb2.Struct()
    metadata.update({"warning": warning, "affected_grants": list(affected_grants)})
    return ann.pack(pb.grant_annotations.GrantMetadata(metadata=metadata))


def warning_of(annotations: Sequence[any_pb2.Any]) -> str:
    """The side-effect warning of a response, or '' (for callers printing a result line)."""
    return side_effect_warning(annotations)
