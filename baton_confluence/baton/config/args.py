"""Command-line flags generated from a settings class, so every setting has a flag and an env var."""

from __future__ import annotations

import argparse
from collections.abc import Collection
from typing import Any

from pydantic_settings import BaseSettings

from baton_confluence.baton.config.field import info_of


def flag_name(field_name: str) -> str:
    return field_name.replace("_", "-")


def add_setting_flags(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    settings_cls: type[BaseSettings],
    only: Collection[str] | None = None,
) -> None:
    """Flags default to SUPPRESS so that only flags really given override env and YAML."""
    for name, field in settings_cls.model_fields.items():
        if only is not None and name not in only:
            continue
        info = info_of(field.json_schema_extra)
        names = [f"--{flag_name(name)}"] + ([f"-{info.short}"] if info.short else [])
        env = f"BATON_{name.upper()}"
        help_text = argparse.SUPPRESS if info.hidden else f"{field.description} (${env})"
        kwargs: dict[str, Any] = {"dest": name, "default": argparse.SUPPRESS, "help": help_text}
        if field.annotation is bool:
            parser.add_argument(*names, action=argparse.BooleanOptionalAction, **kwargs)
        elif field.annotation is int:
            parser.add_argument(*names, type=int, metavar="N", **kwargs)
        elif field.annotation is float:
            parser.add_argument(*names, type=float, metavar="X", **kwargs)
        elif field.annotation == list[str]:
            parser.add_argument(*names, metavar="A,B", **kwargs)
        else:
            parser.add_argument(*names, metavar="VALUE", **kwargs)


def given_flags(namespace: argparse.Namespace, settings_cls: type[BaseSettings]) -> dict[str, Any]:
    return {k: v for k, v in vars(namespace).items() if k in settings_cls.model_fields}
