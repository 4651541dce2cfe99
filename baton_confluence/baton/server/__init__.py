"""Serves a Connector over the c1.connector.v2 gRPC services."""

from baton_confluence.baton.server.serve import ConnectorServer

__all__ = ["ConnectorServer"]
