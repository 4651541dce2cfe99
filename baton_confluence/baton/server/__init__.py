"""Serves a Connector over the c1.connector.v2 gRPC services."""

from baton_confluence.baton.server.capabilities import connector_capabilities
from baton_confluence.baton.server.serve import MAX_MESSAGE_BYTES, ConnectorServer
from baton_confluence.baton.server.servicers import ConnectorServices
from baton_confluence.baton.server.status import rate_limit_description, rate_limit_from_trailer, status_from_trailer

__all__ = [
    "MAX_MESSAGE_BYTES",
    "ConnectorServer",
    "ConnectorServices",
    "connector_capabilities",
    "rate_limit_description",
    "rate_limit_from_trailer",
    "status_from_trailer",
]
