"""Rate limiting, injected faults, latency/concurrency, stats, and the command-line entry point."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from confluence_simulator import FaultSpec, SimulatedSite, SiteSpec
from site_helpers import client_for

TINY = SiteSpec(users=6, groups=4, spaces=3)


def test_rate_limit_answers_429_with_atlassian_headers() -> None:
    with SimulatedSite(SiteSpec(users=6, groups=4, spaces=3, rate_limit_rps=10)) as site, client_for(site) as c:
        answers = [c.get("/wiki/rest/api/group") for _ in range(16)]
        ok = [a for a in answers if a.status_code == 200]
        limited = [a for a in answers if a.status_code == 429]
        assert 10 <= len(ok) < 16 and limited
        assert ok[0].headers["X-RateLimit-Limit"] == "10"
        assert "X-RateLimit-NearLimit" not in ok[0].headers
        assert ok[9].headers["X-RateLimit-NearLimit"] == "true"  # bucket below 20 %
        first = limited[0]
        assert int(first.headers["Retry-After"]) >= 1
        assert first.headers["X-RateLimit-Remaining"] == "0"
        assert first.headers["X-RateLimit-Limit"] == "10"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\dZ", first.headers["X-RateLimit-Reset"])
        assert first.json()["statusCode"] == 429
        assert site.stats.rate_limited_count == len(limited)
        assert site.stats.snapshot().sent_429 == len(limited)
        time.sleep(0.25)  # 10 rps refills 2 tokens
        assert c.get("/wiki/rest/api/group").status_code == 200


def test_every_fault_kind_happens_and_is_counted() -> None:
    faults = FaultSpec(p_429=0.12, p_429_retry_after=0.12, p_503=0.12, p_503_retry_after=0.12,
                       p_reset=0.12, p_slow=0.12, slow_ms=20, seed=11)
    with SimulatedSite(SiteSpec(users=6, groups=4, spaces=3, faults=faults)) as site, client_for(site) as c:
        seen = {"429": 0, "429_ra": 0, "503": 0, "503_ra": 0, "reset": 0, "ok": 0}
        for _ in range(80):
            try:
                answer = c.get("/wiki/api/v2/spaces")
            except httpx.TransportError:
                seen["reset"] += 1
                continue
            if answer.status_code == 200:
                seen["ok"] += 1
            else:
                kind = str(answer.status_code) + ("_ra" if "Retry-After" in answer.headers else "")
                seen[kind] += 1
                assert answer.json()["errors"][0]["status"] == answer.status_code
        counts = site.stats.snapshot().faults
        assert counts["429"] == seen["429"] > 0
        assert counts["429_retry_after"] == seen["429_ra"] > 0
        assert counts["503"] == seen["503"] > 0
        assert counts["503_retry_after"] == seen["503_ra"] > 0
        assert counts["reset"] == seen["reset"] > 0
        assert counts["slow"] > 0
        assert site.stats.faults_injected == sum(counts.values())
        assert seen["ok"] >= counts["slow"]
        assert site.stats.snapshot().sent_429 == seen["429"] + seen["429_ra"]


def test_truncated_body_is_sent_once() -> None:
    spec = SiteSpec(users=6, groups=4, spaces=3, faults=FaultSpec(truncate_once_path="/wiki/rest/api/group"))
    with SimulatedSite(spec) as site, client_for(site) as c:
        assert c.get("/wiki/api/v2/spaces").json()["results"]  # other paths untouched
        broken = c.get("/wiki/rest/api/group")
        assert broken.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(broken.content)
        assert c.get("/wiki/rest/api/group").json()["results"]
        assert site.stats.snapshot().faults == {"truncate": 1}


def test_concurrent_keep_alive_clients_and_stats() -> None:
    spec = SiteSpec(users=20, groups=5, spaces=6, latency_ms=200)
    with SimulatedSite(spec) as site:
        site.reset_stats()

        # One client, one keep-alive pool of up to 64 connections (httpx clients are thread-safe;
        # building 64 of them would mostly measure TLS-context setup).
        with client_for(site, limits=httpx.Limits(max_connections=64)) as c:

            def worker(_: int) -> list[int]:
                return [c.get("/wiki/api/v2/spaces", params={"limit": 2}).status_code for _ in range(3)]

            with ThreadPoolExecutor(max_workers=64) as pool:
                statuses = [s for batch in pool.map(worker, range(64)) for s in batch]
        assert statuses == [200] * 192
        snapshot = site.stats.snapshot()
        assert snapshot.total_requests == 192
        assert snapshot.by_request[("GET", "/wiki/api/v2/spaces?limit=2")] == 192
        assert snapshot.count("GET", "/wiki/api/v2/spaces") == 192
        assert snapshot.peak_in_flight >= 32
        site.reset_stats()
        assert site.stats.total_requests == 0


def test_latency_is_added_per_request() -> None:
    with SimulatedSite(SiteSpec(users=3, groups=2, spaces=1, latency_ms=80)) as site, client_for(site) as c:
        c.get("/wiki/rest/api/user/current")  # connect first
        started = time.monotonic()
        c.get("/wiki/rest/api/user/current")
        assert time.monotonic() - started >= 0.08


def test_command_line_runs_a_site() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "confluence_simulator", "--port", "0", "--users", "5",
         "--spaces", "2", "--groups", "3"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)$", first.strip())
        assert match, first
        answer = httpx.get(match.group(1) + "/wiki/rest/api/user/current",
                           auth=("admin@example.com", "simulated-api-token"))
        assert answer.status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)


def test_chunked_request_bodies_keep_the_connection_usable(site: SimulatedSite) -> None:
    account = next(iter(site.state.users))

    def body() -> Iterator[bytes]:
        yield b'{"accountIds": ['
        yield f'"{account}"]}}'.encode()

    with client_for(site) as c:
        answer = c.post("/wiki/api/v2/users-bulk", content=body(), headers={"Content-Type": "application/json"})
        assert answer.request.headers["transfer-encoding"] == "chunked"
        assert [u["accountId"] for u in answer.json()["results"]] == [account]
        assert c.get("/wiki/rest/api/user/current").status_code == 200
        assert site.internal_errors == []
