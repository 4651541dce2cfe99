"""The Cloud simulated site over HTTPS with a private CA, through the real command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from confluence_simulator import SimulatedSite, SiteSpec

from tests.e2e.cli import run_cli, site_env
from tests.tls.certs import PrivateCA, make_test_ca

SPEC = SiteSpec(seed=2, users=10, groups=4, spaces=4, permissions_per_space=4)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> PrivateCA:
    return make_test_ca(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def site(ca: PrivateCA) -> Iterator[SimulatedSite]:
    with SimulatedSite(SPEC, tls=ca.server_context()) as running:
        yield running


def env(site: SimulatedSite) -> dict[str, str]:
    # No SSL_CERT_FILE/SSL_CERT_DIR: the system roots must be the only ones trusted by default.
    return site_env(site) | {"SSL_CERT_FILE": "", "SSL_CERT_DIR": ""}


def test_the_site_is_https(site: SimulatedSite) -> None:
    assert site.url.startswith("https://127.0.0.1:")


def test_without_ca_cert_the_sync_fails_in_one_line_naming_the_flag(site: SimulatedSite, tmp_path: Path) -> None:
    result = run_cli([], tmp_path, env(site))
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "--ca-cert" in last and "certificate verif" in last
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "sync.c1z").exists()


def test_with_ca_cert_the_sync_passes(site: SimulatedSite, ca: PrivateCA, tmp_path: Path) -> None:
    result = run_cli(["--ca-cert", str(ca.ca_file)], tmp_path, env(site))
    assert result.returncode == 0, result.stderr
    assert "Synced to sync.c1z" in result.stdout


def test_insecure_skip_verify_passes_with_a_loud_warning(site: SimulatedSite, tmp_path: Path) -> None:
    result = run_cli(["--insecure-skip-verify"], tmp_path, env(site))
    assert result.returncode == 0, result.stderr
    assert "confluence_tls_verification_disabled" in result.stderr and "NOT checked" in result.stderr


def test_an_unreadable_ca_file_is_a_usage_error(site: SimulatedSite, tmp_path: Path) -> None:
    result = run_cli(["--ca-cert", str(tmp_path / "missing.pem")], tmp_path, env(site))
    assert result.returncode == 3
    assert "--ca-cert" in result.stderr.strip().splitlines()[-1]
