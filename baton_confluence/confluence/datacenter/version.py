"""Which Data Center features the site has, from its version.

`GET /rest/api/server-information` answers `{"version", "buildNumber", "baseUrl", ...}`. The
endpoint first appears in Atlassian's REST reference for Confluence 9.1 (the 9.0 reference has no
"Server Information" group), the release that also added the space-permission REST endpoints
(CONFSERVER-100505: "A set of new REST API for Space Permissions are introduced in Confluence
9.1"). So a 404 here is read as "older than 9.1": everything but space permissions still syncs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import ConfluenceHTTP

SERVER_INFORMATION = "/rest/api/server-information"
SPACE_PERMISSIONS_SINCE = (9, 1)
GLOBAL_PERMISSIONS_SINCE = (9, 2)  # `GET /rest/api/permissions`: in the 9.2 reference, not 9.1's

_NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class Features:
    version: str  # '' when the site did not say (older than 9.1)
    numbers: tuple[int, ...] = ()

    @property
    def space_permissions(self) -> bool:
        return self.numbers >= SPACE_PERMISSIONS_SINCE

    @property
    def global_permissions(self) -> bool:
        return self.numbers >= GLOBAL_PERMISSIONS_SINCE

    def permissions_unavailable(self) -> str:
        """Why space permissions cannot be synced, or '' when they can."""
        if self.space_permissions:
            return ""
        shown = f"Confluence {self.version}" if self.version else "this Confluence (older than 9.1)"
        return f"{shown} has no space-permission REST API (added in Data Center 9.1)"


def parse_version(text: str) -> tuple[int, ...]:
    """(9, 2, 1) for "9.2.1"; suffixes such as "-m12" are ignored."""
    return tuple(int(n) for n in _NUMBERS.findall(text.split("-")[0])[:3])


async def detect(http: ConfluenceHTTP) -> Features:
    try:
        response = await http.get_json(SERVER_INFORMATION)
    except ConnectorError as err:
        if err.code == grpc.StatusCode.NOT_FOUND:
            return Features("")
        raise
    version = response.json_object().get("version")
    text = version if isinstance(version, str) else ""
    return Features(text, parse_version(text))
