"""Fixtures for the c1z tests: every test writes into its own temporary directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from baton_confluence.baton.c1z import SyncStore


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BATON_KEEP_SYNC_COUNT", "BATON_SKIP_CLEANUP", "BATON_DECODER_MAX_DECODED_SIZE_MB"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def c1z_path(tmp_path: Path) -> Path:
    return tmp_path / "sync.c1z"


@pytest.fixture
def store(c1z_path: Path) -> Iterator[SyncStore]:
    s = SyncStore.open(c1z_path)
    s.start_or_resume_sync()
    yield s
    s.close()
