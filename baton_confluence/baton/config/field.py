"""Field metadata shared by the flag parser, the `config` schema and the help text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import Field


class Export(Enum):
    GUI = "gui"  # shown to users configuring the connector
    OPS = "ops"  # operational settings, exported with isOps
    NONE = "none"  # command-line only


@dataclass(frozen=True)
class FieldInfo:
    display_name: str = ""
    placeholder: str = ""
    required: bool = False
    secret: bool = False
    export: Export = Export.NONE
    short: str = ""
    hidden: bool = False
    suggested: tuple[str, ...] = ()
    rules: tuple[tuple[str, int], ...] = ()


def setting(default: Any, description: str, **info: Any) -> Any:
    """A pydantic field carrying our FieldInfo; `description` is the flag's help text."""
    return Field(default=default, description=description, json_schema_extra={"baton": FieldInfo(**info)})  # type: ignore[dict-item]


def info_of(extra: Any) -> FieldInfo:
    if isinstance(extra, dict) and isinstance(extra.get("baton"), FieldInfo):
        return extra["baton"]
    return FieldInfo()
