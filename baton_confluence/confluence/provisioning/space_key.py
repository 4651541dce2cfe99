"""The space KEY the v1 permission writes address a space by (entitlements carry its numeric id).

Upstream sent the numeric id where the documented path `/wiki/rest/api/space/{spaceKey}/permission`
wants the key (docs/confluence-api.md, last section). Our sync stores the key in the space's profile (`space_key`),
so a request carrying the full space resource (C1, the one-shot CLI) costs no lookup; a bare
resource id falls back to `GET /wiki/api/v2/spaces/{id}`.
"""

from __future__ import annotations

import grpc

from baton_confluence.baton import pb
from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import ConfluenceAPI
from baton_confluence.confluence.provisioning.errors import PREFIX

PROFILE_KEY = "space_key"


async def space_key(api: ConfluenceAPI, space: pb.resource.Resource) -> str:
    stored = space.profile.fields.get(PROFILE_KEY)
    if stored is not None and stored.string_value:
        return stored.string_value
    found = await api.get_space(space.id.resource)
    key = found.key if found is not None else ""
    if not key:
        raise ConnectorError(
            grpc.StatusCode.NOT_FOUND, f"{PREFIX}: space {space.id.resource} has no key in the site's answer"
        )
    return key
