"""kill -9 during a sync with `--last-activity` (per-account route, the slow one) and the site
resource, then resume: the c1z and the report's last-activity counts equal a straight sync's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from confluence_simulator import DataVariants, SimulatedSite, SiteSpec
from confluence_simulator.org_admin import org_admin_site
from confluence_simulator.site_admin_spec import SiteAdminSpec

from tests.baton.sync.c1z_rows import sync_content as content
from tests.e2e.cli import run_cli, site_env
from tests.e2e.report import report_counters

SPEC = SiteSpec(
    seed=13, users=50, groups=8, spaces=10, permissions_per_space=8, latency_ms=20, guest_accounts=3,
    variants=DataVariants(ungrouped_users=4, app_permissions=True, missing_principals=2),
    site_admin=SiteAdminSpec(bulk_search=False),
)


def _env(site: SimulatedSite, admin: SimulatedSite) -> dict[str, str]:
    return site_env(site) | {
        "BATON_LAST_ACTIVITY": "true",
        "BATON_ORG_ID": site.spec.site_admin.org_id,
        "BATON_ORG_API_KEY": site.spec.site_admin.org_api_key,
        "BATON_ADMIN_API_URL": admin.url,
        "BATON_CHECKPOINT_INTERVAL_SECONDS": "0.2",
        "BATON_CONCURRENCY": "2",
    }


@pytest.mark.parametrize("kill_at", [0.2, 0.6], ids=["during-the-user-listing", "mid-sweep"])
def test_kill_9_then_resume_keeps_last_activity_and_site(tmp_path: Path, kill_at: float) -> None:
    clean = tmp_path / "clean"
    clean.mkdir()
    with SimulatedSite(SPEC) as site, org_admin_site(site) as admin:
        assert run_cli([], clean, _env(site, admin)).returncode == 0
        fresh_requests = site.stats.total_requests
    expected = content(clean / "sync.c1z")
    assert any(k.startswith("v1_resources/site:") for k in expected)
    assert any(k.startswith("v1_resources/user:") and b"last_login_missing" in v for k, v in expected.items())

    work = tmp_path / "run"
    work.mkdir()
    with SimulatedSite(SPEC) as site, org_admin_site(site) as admin:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")} | _env(site, admin)
        proc = subprocess.Popen([sys.executable, "-m", "baton_confluence"], cwd=work, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while site.stats.total_requests < fresh_requests * kill_at and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.02)
        time.sleep(0.25)  # let a checkpoint (every 0.2 s) land after that progress
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert (work / "sync.c1z.work.db").exists()
        resumed = run_cli([], work, _env(site, admin))
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed" in resumed.stdout
    assert content(work / "sync.c1z") == expected
    assert report_counters(work / "sync.c1z", "accounts.", "site.") == report_counters(clean / "sync.c1z", "accounts.", "site.")
