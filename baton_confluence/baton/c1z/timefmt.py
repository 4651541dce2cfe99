"""Timestamps as the Go SDK stores them in c1z `datetime` columns (docs/protocol.md §1.4).

Go writes `time.Now().Format("2006-01-02 15:04:05.999999999")`: local wall clock, no zone,
nanosecond fraction with trailing zeros trimmed (no '.' at all for a whole second). The
modernc SQLite driver reads those back, plus a few other shapes, so the parser accepts them too.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone

_PARSE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def format_ns(epoch_ns: int) -> str:
    """Go's sqliteTimeFormat for a Unix time in nanoseconds, in local time."""
    seconds, nanos = divmod(epoch_ns, 1_000_000_000)
    base = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))
    if nanos == 0:
        return base
    return f"{base}.{nanos:09d}".rstrip("0")


def now_str() -> str:
    """The current local time in Go's sqliteTimeFormat."""
    return format_ns(time.time_ns())


def ago_str(seconds: float) -> str:
    """Go's sqliteTimeFormat for `seconds` before now; used for started_at cutoffs."""
    return format_ns(time.time_ns() - int(seconds * 1_000_000_000))


def parse(value: str) -> datetime | None:
    """Parse a stored datetime; naive (local) when the text has no zone. None if unparseable."""
    match = _PARSE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, sec, frac, zone = match.groups()
    micros = int((frac or "0").ljust(9, "0")[:6])
    tz = _zone(zone)
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(sec or 0), micros, tzinfo=tz)


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
