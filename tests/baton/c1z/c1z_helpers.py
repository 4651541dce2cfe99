"""Message builders shared by the c1z tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import zstandard

from baton_confluence.baton import annotations as annos
from baton_confluence.baton import pb
from baton_confluence.baton.c1z.container import MAGIC_LEN


def rid(rtype: str, rid_: str) -> pb.resource.ResourceId:
    return pb.resource.ResourceId(resource_type=rtype, resource=rid_)


def resource_type(type_id: str, name: str = "") -> pb.resource.ResourceType:
    return pb.resource.ResourceType(id=type_id, display_name=name or type_id.title())


def resource(rtype: str, rid_: str, name: str = "", parent: tuple[str, str] | None = None) -> pb.resource.Resource:
    r = pb.resource.Resource(id=rid(rtype, rid_), display_name=name or f"{rtype} {rid_}")
    if parent:
        r.parent_resource_id.CopyFrom(rid(*parent))
    return r


def entitlement(res: pb.resource.Resource, slug: str) -> pb.entitlement.Entitlement:
    return pb.entitlement.Entitlement(
        id=f"{res.id.resource_type}:{res.id.resource}:{slug}",
        resource=res,
        display_name=slug,
        slug=slug,
        purpose=pb.entitlement.Entitlement.PURPOSE_VALUE_ASSIGNMENT,
    )


def grant(
    ent: pb.entitlement.Entitlement, principal: pb.resource.Resource, *, expand: list[str] | None = None
) -> pb.grant.Grant:
    g = pb.grant.Grant(
        id=f"{ent.id}:{principal.id.resource_type}:{principal.id.resource}",
        entitlement=ent,
        principal=pb.resource.Resource(id=principal.id),
    )
    if expand is not None:
        g.annotations.append(annos.pack(pb.grant_annotations.GrantExpandable(entitlement_ids=expand)))
    return g


def decode(c1z: Path, out: Path) -> sqlite3.Connection:
    """Decompress a c1z with plain zstandard (independently of the code under test)."""
    raw = c1z.read_bytes()[MAGIC_LEN:]
    out.write_bytes(zstandard.ZstdDecompressor().decompressobj().decompress(raw))
    return sqlite3.connect(out)
