"""Shared pieces for the HTTP client tests: a fake clock, a client factory, log capture."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from baton_confluence.confluence.client import BasicAuth, ConfluenceHTTP, GovernorSettings, RequestGovernor

BASE = "https://example.atlassian.net"
USERNAME = "admin@example.com"
TOKEN = "ATATT3xFfGF0-super-secret-token-value"


class FakeClock:
    """Virtual monotonic + wall clock; `sleep` jumps time forward and records each wait.

    Concurrent sleepers wake in order of their deadlines: a sleeper returns only once no other
    pending sleeper has an earlier deadline, and then sets the clock to its own deadline.
    """

    def __init__(self) -> None:
        self.now = 1000.0
        self.epoch = datetime(2026, 1, 1, tzinfo=UTC)
        self.sleeps: list[float] = []
        self._deadlines: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return self.epoch + timedelta(seconds=self.now - 1000.0)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        deadline = self.now + max(seconds, 0.0)
        self._deadlines.append(deadline)
        try:
            while True:
                await asyncio.sleep(0)  # let the other ready tasks run (and register sleeps)
                if deadline <= min(self._deadlines):
                    break
        finally:
            self._deadlines.remove(deadline)
        self.now = max(self.now, deadline)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


MakeHTTP = Callable[..., ConfluenceHTTP]


@pytest.fixture
def make_http(fake_clock: FakeClock) -> MakeHTTP:
    """Build a client on the fake clock; keyword arguments override the defaults."""

    def build(**overrides: Any) -> ConfluenceHTTP:
        base_url = overrides.pop("base_url", BASE)
        settings = overrides.pop("settings", GovernorSettings())
        options: dict[str, Any] = {
            "auth": BasicAuth(USERNAME, TOKEN),
            "governor": RequestGovernor(
                settings, clock=fake_clock.clock, wall_clock=fake_clock.wall, sleep=fake_clock.sleep
            ),
            "clock": fake_clock.clock,
            "sleep": fake_clock.sleep,
            "wall_clock": fake_clock.wall,
            "rng": random.Random(7),
        }
        options.update(overrides)
        return ConfluenceHTTP(base_url, **options)

    return build

