"""Validate on Cloud: each missing permission is one line with its fix; hard failures raise."""

from __future__ import annotations

import grpc
import pytest
from confluence_simulator import SimulatedSite, SiteSpec
from confluence_simulator import spec as families

from baton_confluence.baton.errors import ConnectorError
from tests.confluence.validation.harness import validate

BASE = {"seed": 4, "users": 12, "groups": 5, "spaces": 6, "permissions_per_space": 4}
ADMIN_FIX = "give the account the Confluence administrator role (site admin)"


def site_with(**values: object) -> SimulatedSite:
    return SimulatedSite(SiteSpec(**{**BASE, **values}))  # type: ignore[arg-type]


def test_a_well_configured_site_has_no_findings_and_costs_few_requests() -> None:
    with site_with() as site:
        assert validate(site) == []
        snapshot = site.stats.snapshot()
    assert snapshot.total_requests <= 7
    assert all("limit=1" in path for (_m, path) in snapshot.by_request if "/user/current" not in path)


@pytest.mark.parametrize(
    ("family", "line"),
    [
        (families.FAMILY_GROUPS, f"cannot list groups (403): {ADMIN_FIX}"),
        (families.FAMILY_USERS_SEARCH, f"cannot list users (403): {ADMIN_FIX}"),
    ],
)
def test_each_denied_listing_is_reported_with_its_fix(family: str, line: str) -> None:
    with site_with(denied=frozenset({family})) as site:
        assert validate(site) == [line]


def test_unreadable_space_permissions_name_the_space() -> None:
    with site_with(denied=frozenset({families.FAMILY_SPACE_PERMISSIONS})) as site:
        first = min((s for s in site.state.spaces.values() if not s.hidden), key=lambda s: s.id).key
        (line,) = validate(site)
    assert line.startswith(f"cannot read the permissions of space {first} (404): ")
    assert line.endswith("give the account the Admin permission in every space to sync")


def test_partial_visibility_is_a_warning() -> None:
    with site_with(hidden_space_fraction=0.3) as site:
        (line,) = validate(site)
    assert line.startswith("the account is not a Confluence administrator, so the sync may see only some spaces: ")
    assert "Admin permission in every space" in line


@pytest.mark.parametrize(
    ("family", "code", "start"),
    [
        (families.FAMILY_SPACES, grpc.StatusCode.NOT_FOUND, "baton-confluence: validate: cannot list spaces (404); "),
        (families.FAMILY_CURRENT_USER, grpc.StatusCode.PERMISSION_DENIED, "baton-confluence: validate: cannot sign in"),
    ],
)
def test_hard_failures_raise(family: str, code: grpc.StatusCode, start: str) -> None:
    with site_with(denied=frozenset({family})) as site, pytest.raises(ConnectorError) as caught:
        validate(site)
    assert caught.value.code == code
    assert caught.value.message.startswith(start) and "\n" not in caught.value.message


def test_rbac_mode_probes_roles_and_assignments() -> None:
    with site_with(rbac_enabled=True) as site:
        assert validate(site, use_rbac=True) == []
        paths = [path for (_m, path) in site.stats.snapshot().by_request]
    assert any(p.startswith("/wiki/api/v2/space-roles?limit=1") for p in paths)
    assert any("/role-assignments?limit=1" in p for p in paths)
    denied = frozenset({families.FAMILY_SPACE_ROLES})
    with site_with(rbac_enabled=True, denied=denied) as site, pytest.raises(ConnectorError) as caught:
        validate(site, use_rbac=True)
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
