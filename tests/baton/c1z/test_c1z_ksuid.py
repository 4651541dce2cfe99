"""KSUIDs: 27 base62 characters, time-ordered (docs/protocol.md §2.1)."""

from __future__ import annotations

import re
import time

import pytest

from baton_confluence.baton.ksuid import KSUID_EPOCH, is_ksuid, ksuid_timestamp, new_ksuid


def test_format() -> None:
    for _ in range(200):
        value = new_ksuid()
        assert re.fullmatch(r"[0-9A-Za-z]{27}", value)
        assert is_ksuid(value)


def test_timestamp_round_trips() -> None:
    now = time.time()
    assert ksuid_timestamp(new_ksuid(now)) == int(now)
    assert ksuid_timestamp(new_ksuid(KSUID_EPOCH)) == KSUID_EPOCH


def test_known_encoding_of_extremes() -> None:
    # The all-zero and all-ones 20-byte KSUIDs, as segmentio/ksuid prints them (Nil and Max).
    assert new_ksuid(KSUID_EPOCH)[:5] == "00000"  # 16 random bytes need at most 22 digits
    assert is_ksuid("000000000000000000000000000")
    assert ksuid_timestamp("aWgEPTl1tmebfsQzFP4bxwgy80V") == KSUID_EPOCH + 2**32 - 1
    assert not is_ksuid("aWgEPTl1tmebfsQzFP4bxwgy80W")  # one past Max does not fit 20 bytes


def test_lexicographic_order_is_time_order() -> None:
    base = time.time()
    ids = [new_ksuid(base + offset) for offset in (0, 1, 2, 60, 3600, 86400 * 400)]
    assert ids == sorted(ids)


def test_randomness() -> None:
    now = time.time()
    assert len({new_ksuid(now) for _ in range(1000)}) == 1000


def test_out_of_range() -> None:
    with pytest.raises(ValueError):
        new_ksuid(KSUID_EPOCH - 1)
