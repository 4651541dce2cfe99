"""Running the real command line as a subprocess, as users do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from confluence_simulator import SimulatedSite


def run_cli(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "baton_confluence", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def site_env(site: SimulatedSite) -> dict[str, str]:
    return {
        "BATON_DOMAIN_URL": site.url,
        "BATON_USERNAME": site.spec.username,
        "BATON_API_KEY": site.spec.api_token,
        "BATON_LOG_FORMAT": "json",
    }
