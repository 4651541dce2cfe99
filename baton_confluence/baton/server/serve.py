"""Running the connector services on a grpc.aio server bound to a local address."""

from __future__ import annotations

import grpc

from baton_confluence.baton import pb
from baton_confluence.baton.server.servicers import ConnectorServices
from baton_confluence.baton.syncer import Connector

MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class ConnectorServer:
    """A gRPC server for one connector. `await start()` returns the bound address."""

    def __init__(self, connector: Connector, *, listen: str = "127.0.0.1:0", provisioning: bool = False) -> None:
        self.listen = listen
        self.services = ConnectorServices(connector, provisioning=provisioning)
        options = [
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ]
        self._server = grpc.aio.server(options=options)
        for add in (
            pb.connector_grpc.add_ConnectorServiceServicer_to_server,
            pb.resource_grpc.add_ResourceTypesServiceServicer_to_server,
            pb.resource_grpc.add_ResourcesServiceServicer_to_server,
            pb.resource_grpc.add_ResourceGetterServiceServicer_to_server,
            pb.entitlement_grpc.add_EntitlementsServiceServicer_to_server,
            pb.grant_grpc.add_GrantsServiceServicer_to_server,
            pb.grant_grpc.add_GrantManagerServiceServicer_to_server,
        ):
            add(self.services, self._server)
        self.address = ""

    async def start(self) -> str:
        host = self.listen.rsplit(":", 1)[0]
        port = self._server.add_insecure_port(self.listen)
        if port == 0:
            raise OSError(f"cannot listen on {self.listen}")
        await self._server.start()
        self.address = f"{host}:{port}"
        return self.address

    async def wait(self) -> None:
        await self._server.wait_for_termination()

    async def stop(self, grace: float | None = 1.0) -> None:
        await self._server.stop(grace)
