"""Validate on Data Center: the same checks through DC's endpoints, with DC's wording of the fixes."""

from __future__ import annotations

import grpc
import pytest
from confluence_simulator import SimulatedSite, SiteSpec, datacenter_flavor
from confluence_simulator import spec as families

from baton_confluence.baton.errors import ConnectorError
from tests.confluence.validation.harness import PAT, validate

BASE = {"seed": 8, "users": 12, "groups": 5, "spaces": 6, "permissions_per_space": 4, "personal_access_token": PAT}
ADMIN_FIX = "give the account the Confluence Administrator (or System Administrator) global permission"


def dc_site(**values: object) -> SimulatedSite:
    return SimulatedSite(SiteSpec(**{**BASE, **values}), flavor=datacenter_flavor())  # type: ignore[arg-type]


def test_a_well_configured_site_has_no_findings() -> None:
    with dc_site() as site:
        assert validate(site) == []
        assert site.stats.snapshot().total_requests <= 9


@pytest.mark.parametrize(
    ("family", "line"),
    [
        (families.FAMILY_GROUPS, f"cannot list groups (403): {ADMIN_FIX}"),
        (families.FAMILY_USERS_SEARCH, f"cannot list users (403): {ADMIN_FIX}"),
    ],
)
def test_each_denied_listing_is_reported_with_its_fix(family: str, line: str) -> None:
    with dc_site(denied=frozenset({family})) as site:
        assert validate(site) == [line]


def test_unreadable_space_permissions_name_the_space() -> None:
    with dc_site(denied=frozenset({families.FAMILY_SPACE_PERMISSIONS})) as site:
        # Validate probes the first space of an unfiltered listing: current spaces only by default.
        first = min(s.key for s in site.state.spaces.values() if not s.hidden and s.status == "current")
        assert validate(site) == [
            f"cannot read the permissions of space {first} (403): give the account the Admin permission in every "
            "space to sync"
        ]


def test_partial_visibility_is_a_warning() -> None:
    with dc_site(hidden_space_fraction=0.3) as site:
        (line,) = validate(site)
    assert line.startswith("the account is not a Confluence administrator, so the sync may see only some spaces: ")


def test_before_9_1_the_remote_api_reads_space_permissions_without_findings() -> None:
    with dc_site(server_version="9.0.3") as site:
        assert validate(site) == []
        assert site.stats.snapshot().count("POST", "/confluence/rpc/json-rpc/") >= 1


@pytest.mark.parametrize("status", [403, 404])
def test_before_9_1_with_the_remote_api_off_validate_fails_in_one_line(status: int) -> None:
    spec = {"server_version": "8.5.4", "remote_api_enabled": False, "remote_api_off_status": status}
    with dc_site(**spec) as site, pytest.raises(ConnectorError) as caught:
        validate(site)
    message = caught.value.message
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "\n" not in message
    assert message.startswith("baton-confluence: validate: space permissions cannot be read: ")
    assert f"remote API (JSON-RPC) answered {status}" in message
    assert "turn on 'Remote API (XML-RPC & SOAP)'" in message and "upgrade to Confluence Data Center 9.1" in message


def test_from_9_1_the_remote_api_being_off_does_not_matter() -> None:
    with dc_site(server_version="9.2.1", remote_api_enabled=False) as site:
        assert validate(site) == []
        assert site.stats.snapshot().count("POST", "/confluence/rpc/") == 0


def test_before_9_1_unreadable_space_permissions_name_the_space() -> None:
    with dc_site(server_version="8.5.4", denied=frozenset({families.FAMILY_SPACE_PERMISSIONS})) as site:
        first = min(s.key for s in site.state.spaces.values() if not s.hidden and s.status == "current")
        assert validate(site) == [
            f"cannot read the permissions of space {first} (permission_denied): give the account the Admin "
            "permission in every space to sync"
        ]


def test_an_unknown_token_is_the_anonymous_user() -> None:
    with dc_site() as site, pytest.raises(ConnectorError) as caught:
        validate(site, token="wrong-token")
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert "anonymous" in caught.value.message and "CONFSERVER-98199" in caught.value.message


def test_spaces_denied_is_a_hard_failure() -> None:
    with dc_site(denied=frozenset({families.FAMILY_SPACES})) as site, pytest.raises(ConnectorError) as caught:
        validate(site)
    assert caught.value.code == grpc.StatusCode.PERMISSION_DENIED
    assert "cannot list spaces (403)" in caught.value.message
