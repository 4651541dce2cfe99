"""Credentials: Basic (Cloud: account email + API token, classic or scoped; Data Center: username +
password), Bearer (Data Center personal access token, sent as `Authorization: Bearer`, Confluence
7.9+), or renewable credentials whose header changes over time (OAuth 2.0 access tokens, client/oauth.py).

The secret values never appear in `repr`, and each credential lists the strings that must be
scrubbed from anything the client logs or raises (`secrets`), including the encoded header form.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import grpc

from baton_confluence.baton.errors import ConnectorError


@dataclass(frozen=True)
class BasicAuth:
    """HTTP Basic with a user name and a secret: Cloud's email + API token, or Data Center's
    username + password. `secret_flag` names the flag the secret came from, for messages."""

    username: str
    api_token: str = field(repr=False)
    secret_flag: str = field(default="--api-key", repr=False)

    def __post_init__(self) -> None:
        if not self.username or not self.api_token:
            raise ConnectorError(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"baton-confluence: basic authentication needs both --username and {self.secret_flag}",
            )

    @property
    def header(self) -> str:
        raw = f"{self.username}:{self.api_token}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.api_token, self.header.removeprefix("Basic "))

    @property
    def hint(self) -> str:
        return f"check --username/{self.secret_flag}"


@dataclass(frozen=True)
class BearerAuth:
    """A bearer token: a Data Center personal access token (--personal-access-token)."""

    token: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.token:
            raise ConnectorError(
                grpc.StatusCode.INVALID_ARGUMENT, "baton-confluence: the personal access token is empty"
            )

    @property
    def header(self) -> str:
        return f"Bearer {self.token}"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.token,)

    @property
    def hint(self) -> str:
        return "check --personal-access-token (it may have expired or been revoked)"


@runtime_checkable
class RenewableCredentials(Protocol):
    """Credentials whose `Authorization` value expires (an OAuth 2.0 access token).

    The client asks for the header before each attempt (`authorization`, which mints or renews
    the token when it is missing or about to expire) and, when the API answers 401 to a header,
    calls `renew(rejected)` before retrying (transport.py `_renews` says how often): a token can be revoked or
    expire early, also the one a call has just renewed to while other calls use it. Both are
    single flight: many tasks waiting on one renewal cause one token request.
    """

    async def authorization(self) -> str: ...

    async def renew(self, rejected: str) -> None: ...

    @property
    def secrets(self) -> tuple[str, ...]: ...

    @property
    def hint(self) -> str: ...

    async def aclose(self) -> None: ...


StaticCredentials = BasicAuth | BearerAuth
Credentials = BasicAuth | BearerAuth | RenewableCredentials
