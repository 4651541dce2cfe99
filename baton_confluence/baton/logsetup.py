"""structlog setup: JSON lines when not on a terminal, readable console lines on one.

Every event passes a redaction step that blanks configured secrets wherever they appear, so a
secret that reaches an error message or a URL never reaches the log.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

from baton_confluence.baton.errors import UsageError

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
REDACTED = "[REDACTED]"


class Redactor:
    def __init__(self) -> None:
        self.secrets: list[str] = []

    def add(self, secrets: Iterable[str]) -> None:
        self.secrets.extend(s for s in secrets if s and len(s) >= 4 and s not in self.secrets)

    def text(self, value: str) -> str:
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def __call__(self, _logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        if self.secrets:
            for key, value in event.items():
                if isinstance(value, str):
                    event[key] = self.text(value)
                elif not isinstance(value, int | float | bool) and value is not None:
                    event[key] = self.text(str(value))
        return event


REDACTOR = Redactor()


def _clear_progress_line(_logger: Any, _method: str, line: str) -> str:
    """A log line on a terminal first erases the live progress line it would otherwise run into."""
    return "\r\x1b[2K" + line


def default_format() -> str:
    return "console" if sys.stderr.isatty() else "json"


def configure(level: str = "info", fmt: str = "", secrets: Iterable[str] = ()) -> None:
    if level.lower() not in LEVELS:
        raise UsageError(f"unknown log level {level!r}; use one of debug, info, warn, error")
    REDACTOR.add(secrets)
    fmt = fmt or default_format()
    if fmt not in ("json", "console"):
        raise UsageError(f"unknown log format {fmt!r}; use json or console")
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        REDACTOR,
        renderer,
    ]
    if fmt == "console" and sys.stderr.isatty():
        processors.append(_clear_progress_line)
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(LEVELS[level.lower()]),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
