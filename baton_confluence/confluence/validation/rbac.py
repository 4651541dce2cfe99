"""Validate, RBAC mode (`--use-rbac`): space roles must be on, and readable.

`space-role-mode` keeps answering ROLES after a trial or beta grant expires (upstream #44), so the
roles themselves are probed too, with `limit=1` (the sync reads `limit=250` pages).
"""

from __future__ import annotations

import grpc

from baton_confluence.baton.errors import ConnectorError
from baton_confluence.confluence.client import SpaceRolesAPI
from baton_confluence.confluence.validation.findings import Finding, failure, fix_for, http_status_of, inner

OFF = "turn off --use-rbac to sync granular space permissions instead"


async def check_rbac(api: SpaceRolesAPI) -> None:
    """Raises unless the site is in a roles mode and its roles can be read."""
    try:
        mode = await api.space_role_mode()
    except ConnectorError as err:
        if err.code == grpc.StatusCode.NOT_FOUND:
            raise _unavailable("space-role-mode answered 404") from err
        raise failure(err.code, f"cannot read the space role mode ({inner(err)})", OFF) from err
    if mode == "PRE_ROLES":
        raise failure(
            grpc.StatusCode.FAILED_PRECONDITION,
            "space roles are not enabled on this site (space-role-mode is PRE_ROLES)",
            f"enable space roles in Confluence administration or {OFF}",
        )
    try:
        await api.probe_space_roles()
    except ConnectorError as err:
        if err.code == grpc.StatusCode.NOT_FOUND:
            raise _unavailable("space-roles answered 404; a trial or beta grant may have expired") from err
        raise failure(err.code, f"cannot list space roles ({inner(err)})", OFF) from err


async def check_role_assignments(api: SpaceRolesAPI, space_id: str, space_admin: str) -> list[Finding]:
    try:
        await api.probe_role_assignments(space_id)
    except ConnectorError as err:
        problem = f"cannot read the role assignments of space {space_id} ({http_status_of(err)})"
        return [Finding(problem, fix_for(err, space_admin))]
    return []


def _unavailable(cause: str) -> ConnectorError:
    return failure(grpc.StatusCode.FAILED_PRECONDITION, f"RBAC is not available on this site ({cause})", OFF)
