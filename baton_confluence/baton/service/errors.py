"""Why service mode stopped or a call to ConductorOne failed.

These are ConnectorErrors on purpose: the command line already turns a ConnectorError into one
readable line and exits with its gRPC code (16 unauthenticated, 3 invalid argument, ...),
which is what the Go SDK does for service mode too.
"""

from __future__ import annotations

import grpc

from baton_confluence.baton.errors import ConnectorError


class ServiceError(ConnectorError):
    """Service mode cannot go on; the message is one line for the operator."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(code, message)


class ServiceConfigError(ServiceError):
    """A service-mode setting is malformed. Messages name the setting and never quote a secret."""

    def __init__(self, message: str) -> None:
        super().__init__(grpc.StatusCode.INVALID_ARGUMENT, message)


class PlatformError(ServiceError):
    """A call to the ConductorOne platform (token exchange or BatonService RPC) failed."""
