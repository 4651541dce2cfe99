"""KSUIDs, the ids Baton uses for sync runs and task ids (docs/protocol.md §2.1).

A KSUID is 20 bytes: a big-endian u32 of seconds since 2014-05-13 (epoch 1400000000)
followed by 16 random bytes, written in base62 (0-9A-Za-z) and left-padded with '0' to
27 characters. Because the timestamp is the most significant part and the encoding is
fixed-width, string order is time order; Go readers tie-break syncs on it.
"""

from __future__ import annotations

import re
import secrets
import time

KSUID_EPOCH = 1_400_000_000
KSUID_LENGTH = 27
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_PATTERN = re.compile(r"^[0-9A-Za-z]{27}$")
_MAX_TIMESTAMP = 2**32 - 1


def _base62(value: int) -> str:
    digits: list[str] = []
    while value:
        value, rem = divmod(value, 62)
        digits.append(_ALPHABET[rem])
    return "".join(reversed(digits)).rjust(KSUID_LENGTH, "0")


def new_ksuid(now: float | None = None) -> str:
    """A new KSUID for the wall-clock second `now` (default: the current time)."""
    seconds = int(time.time() if now is None else now) - KSUID_EPOCH
    if not 0 <= seconds <= _MAX_TIMESTAMP:
        raise ValueError(f"time {now!r} is outside the KSUID range")
    raw = seconds.to_bytes(4, "big") + secrets.token_bytes(16)
    return _base62(int.from_bytes(raw, "big"))


def is_ksuid(value: str) -> bool:
    """True for a syntactically valid KSUID string (27 base62 characters)."""
    return bool(_PATTERN.match(value)) and ksuid_timestamp(value) is not None


def ksuid_timestamp(value: str) -> int | None:
    """Unix seconds encoded in a KSUID, or None if it does not decode to 20 bytes."""
    number = 0
    for ch in value:
        idx = _ALPHABET.find(ch)
        if idx < 0:
            return None
        number = number * 62 + idx
    if number >= 1 << 160:
        return None
    return (number >> 128) + KSUID_EPOCH
