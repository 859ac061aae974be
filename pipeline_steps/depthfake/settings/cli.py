"""The bridge from settings to step options: each step's command line from its model
(`add_arguments`, `from_args`), and a config section back into those options (`to_cli`)."""

from __future__ import annotations

import argparse
import shlex
from typing import Any, get_args, get_origin

from pydantic import ValidationError

from depthfake.settings.base import Settings, is_section

# A null setting on a command line.
NULL = "null"


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_arguments(parser: argparse.ArgumentParser, model: type[Settings], prefix: str = ""
                  ) -> None:
    """One option per field of `model` (nested sections get their name as a prefix).

    Omitted options keep the model's default; values are checked by the model itself.
    """
    for name, field in model.model_fields.items():
        if is_section(field.annotation):
            add_arguments(parser, field.annotation, f"{prefix}{name}_")
            continue
        default = "required" if field.is_required() else f"default: {field.get_default()}"
        options: dict[str, Any] = dict(dest=prefix + name, default=argparse.SUPPRESS,
                                       help=f"{field.description or ''} ({default})")
        if field.annotation is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif type(None) in get_args(field.annotation):
            options["type"] = _none_or_text
        elif get_origin(field.annotation) is list:
            options["nargs"] = "*"
        parser.add_argument(_flag(prefix + name), **options)


def _none_or_text(value: str) -> str | None:
    return None if value == NULL else value


def _values(model: type[Settings], args: argparse.Namespace, prefix: str) -> dict:
    values = {}
    for name, field in model.model_fields.items():
        if is_section(field.annotation):
            values[name] = _values(field.annotation, args, f"{prefix}{name}_")
        elif hasattr(args, prefix + name):
            values[name] = getattr(args, prefix + name)
    return values


def from_args(model: type[Settings], args: argparse.Namespace) -> Settings:
    """The `model` settings given on a command line built by `add_arguments`."""
    try:
        return model.model_validate(_values(model, args, ""))
    except ValidationError as err:
        raise SystemExit(f"invalid {model.__name__}: {err}") from None


def to_cli(values: dict, prefix: str = "") -> str:
    """The command-line options `add_arguments` reads, for a dict of settings (quoted)."""
    words: list[str] = []
    for name, value in values.items():
        flag = _flag(prefix + name)
        if isinstance(value, dict):
            words.append(to_cli(value, f"{prefix}{name}_"))
        elif isinstance(value, bool):
            words.append(flag if value else _flag(f"no_{prefix}{name}"))
        elif isinstance(value, list):
            words.append(" ".join([flag, *(shlex.quote(str(v)) for v in value)]))
        else:
            words.append(f"{flag} {NULL if value is None else shlex.quote(str(value))}")
    return " ".join(w for w in words if w)
