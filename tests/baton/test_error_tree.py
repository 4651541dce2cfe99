"""One error tree (issue 24): every user-facing error derives from `BatonError`, which carries
the one-line message and the exit code; the codes are the README's."""

from __future__ import annotations

import grpc
import pydantic
import pytest

from baton_confluence.baton.c1z.errors import C1ZError
from baton_confluence.baton.config.settings import ConfigFileError
from baton_confluence.baton.errors import BatonError, ConnectorError, UsageError
from baton_confluence.baton.inspect.access import InspectError
from baton_confluence.baton.service.config import PlatformError, ServiceConfigError
from baton_confluence.baton.sync.client import SyncError
from baton_confluence.cli.errors import describe, invalid_setting, is_bug
from baton_confluence.confluence.datacenter.remote_api import RemoteApiError, RemoteApiUnavailable
from baton_confluence.confluence.settings import SettingsError


@pytest.mark.parametrize(
    ("error", "exit_code"),
    [
        (UsageError("--many must be at least 1"), 2),
        (ConfigFileError("BATON_CONFIG_PATH=x.txt must name a .yaml or .yml file"), 2),
        (SettingsError("--deployment must be cloud or datacenter, not 'moon'"), 2),
        (InspectError("--principal must be <resource type>:<id>"), 2),
        (C1ZError("sync.c1z is not a c1z file"), 1),
        (SyncError("the connector refused", grpc.StatusCode.PERMISSION_DENIED), 7),
        (SyncError("no reason given"), 2),  # UNKNOWN (2), as the Go SDK exits
        (ConnectorError(grpc.StatusCode.UNAVAILABLE, "the site did not answer"), 14),
        (ConnectorError(grpc.StatusCode.UNAUTHENTICATED, "the API token was refused"), 16),
        (ServiceConfigError("invalid --client-id"), 3),
        (PlatformError(grpc.StatusCode.UNAUTHENTICATED, "the token endpoint refused"), 16),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_every_user_facing_error_is_of_the_tree_with_its_exit_code(error: BatonError, exit_code: int) -> None:
    assert isinstance(error, BatonError)
    assert describe(error) == (str(error), exit_code)
    assert not is_bug(error)


def test_the_data_center_remote_api_errors_are_connector_errors() -> None:
    assert issubclass(RemoteApiError, ConnectorError) and issubclass(RemoteApiUnavailable, ConnectorError)


def test_settings_and_inspect_errors_are_no_longer_value_errors() -> None:
    # A ValueError is what a bug raises; the user's errors must not be one, or a handler that
    # catches ValueError would mistake one for the other.
    assert not issubclass(SettingsError, ValueError) and not issubclass(InspectError, ValueError)


@pytest.mark.parametrize("error", [ValueError("bad"), KeyError("k"), RuntimeError("closed"), TypeError("t")])
def test_anything_outside_the_tree_is_a_bug(error: Exception) -> None:
    message, code = describe(error)
    assert code == 1 and "please report" in message and type(error).__name__ in message
    assert is_bug(error)


def test_an_os_error_is_the_machine_s_not_a_bug() -> None:
    assert describe(PermissionError(13, "Permission denied")) == ("PermissionError: [Errno 13] Permission denied", 1)
    assert not is_bug(OSError())


def test_a_settings_validation_error_becomes_a_usage_error_naming_the_flag() -> None:
    class Settings(pydantic.BaseModel):
        rate_limit_rps: int

    with pytest.raises(pydantic.ValidationError) as caught:
        Settings(rate_limit_rps="many")  # type: ignore[arg-type]
    usage = invalid_setting(caught.value)
    assert isinstance(usage, UsageError) and usage.exit_code == 2
    assert str(usage).startswith("invalid setting --rate-limit-rps: ")
