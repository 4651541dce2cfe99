"""The shared test CA, written to files for the TLS tests."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from tests.pki import make_pki


@dataclass(frozen=True)
class PrivateCA:
    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_test_ca(directory: Path) -> PrivateCA:
    return PrivateCA(*make_pki().write(directory))
