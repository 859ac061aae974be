"""Every config key, walked from the settings models, and the reference that lists them all
(the "Every key" section of docs/configuration.md): type with its limits, default, example,
meaning, and what a change reruns (measured by tests/test_workflow.py, passed in). docs/
generate.py writes it into the page. Torch-free.
"""

from __future__ import annotations

import math
import sys
import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from depthfake.settings.base import is_section
from depthfake.settings.config_file import WorkflowConfig
from depthfake.settings.datasets import PER_DATASET_SECTIONS, RUN_WIDE_FACE_SETTINGS

# What stands for the entries of a map of sections, by the map's field name.
PLACEHOLDERS = {"datasets": "<name>", "backbone_options": "<backbone>"}


@dataclass(frozen=True)
class ConfigKey:
    """One key of the config file. `kind`: value (a setting), section (a section that is off,
    null, by default) or map (named sections, `<placeholder>` in the keys below it)."""

    key: str
    field: FieldInfo
    kind: Literal["value", "section", "map"]

    @property
    def example(self) -> Any:
        """The field's first example (the value the rerun test changes it to), or None."""
        return self.field.examples[0] if self.field.examples else None


def _without_none(annotation: Any) -> tuple[Any, bool]:
    """`annotation` without None, and whether None was allowed."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) < len(get_args(annotation)):
            return (args[0] if len(args) == 1 else Union[tuple(args)]), True  # noqa: UP007
    return annotation, False


def _map_entry(annotation: Any) -> type[BaseModel] | None:
    """The section model of a map of sections (dict[str, Model]), else None."""
    if get_origin(annotation) is dict and is_section(get_args(annotation)[1]):
        return get_args(annotation)[1]
    return None


def config_keys(model: type[BaseModel] = WorkflowConfig, prefix: str = "") -> list[ConfigKey]:
    """Every key below `model`, in field order: the settings, the sections that are null by
    default, and the maps of sections, whose entries are named by a placeholder."""
    keys = []
    for name, field in model.model_fields.items():
        key = prefix + name
        annotation, nullable = _without_none(field.annotation)
        if is_section(annotation):
            if nullable:
                keys.append(ConfigKey(key, field, "section"))
            keys += config_keys(annotation, f"{key}.")
        elif (entry := _map_entry(annotation)) is not None:
            keys.append(ConfigKey(key, field, "map"))
            keys += config_keys(entry, f"{key}.{PLACEHOLDERS.get(name, '<key>')}.")
        else:
            keys.append(ConfigKey(key, field, "value"))
    return keys


# -- the reference -------------------------------------------------------------------------------
_LIMITS = [(annotated_types.Ge, "ge", "≥"), (annotated_types.Gt, "gt", ">"),
           (annotated_types.Le, "le", "≤"), (annotated_types.Lt, "lt", "<")]


def _limits(metadata: list) -> str:
    words = []
    for item in metadata:
        for kind, attribute, sign in _LIMITS:
            if isinstance(item, kind):
                words.append(f"{sign} {_number(getattr(item, attribute))}")
        if isinstance(item, annotated_types.MinLen) and isinstance(item, annotated_types.MaxLen):
            continue
        if isinstance(item, annotated_types.MinLen):
            words.append("not empty" if item.min_length == 1 else
                         f"at least {item.min_length} items")
        if isinstance(item, annotated_types.MaxLen):
            words.append(f"at most {item.max_length} items")
    return ", ".join(words)


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _has_pattern(metadata: list) -> bool:
    return any(getattr(item, "pattern", None) for item in metadata)


def type_text(annotation: Any, metadata: list | None = None) -> str:
    """A field's type in words (limits included), for the reference."""
    metadata = list(metadata or [])
    annotation, nullable = _without_none(annotation)
    if get_origin(annotation) is Annotated:
        inner, *extra = get_args(annotation)
        for item in extra:
            metadata += item.metadata if isinstance(item, FieldInfo) else [item]
        return type_text(inner | None if nullable else inner, metadata)
    origin = get_origin(annotation)
    limits = [w for w in [_limits(metadata)] if w]
    if origin is Literal:
        values = [f"`{v}`" for v in get_args(annotation)]
        text = values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"
    elif origin is list:
        counts = {type(m): m for m in metadata}
        low, high = counts.get(annotated_types.MinLen), counts.get(annotated_types.MaxLen)
        limits = [w for w in [_limits([m for m in metadata if not isinstance(
            m, annotated_types.MinLen | annotated_types.MaxLen)])] if w]
        text = f"list of {type_text(get_args(annotation)[0])}"
        if low and high and low.min_length == high.max_length:
            text += f" ({low.min_length} items)"
        elif low and low.min_length:
            text += f" (at least {low.min_length})" if low.min_length > 1 else " (not empty)"
    elif _map_entry(annotation) is not None:
        text = "map of sections"
    elif origin is dict:
        text = "map"
    elif is_section(annotation):
        text = "section"
    elif annotation is str and _has_pattern(metadata):
        text = "name"
    else:
        text = getattr(annotation, "__name__", str(annotation))
    text = ", ".join([text, *limits])
    return f"{text}, or null" if nullable else text


def value_text(value: Any) -> str:
    """A value as written in the config file (YAML flow style), in backticks."""
    import yaml

    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    text = yaml.safe_dump(value, default_flow_style=True, width=math.inf, sort_keys=False)
    return "`" + text.removesuffix("...\n").strip() + "`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _reruns(key: str, reruns: dict[str, str], per_dataset: bool) -> str:
    """What changing `key` reruns: its measured rules, or, for a data set's own frame or face
    settings, those of each key measured below it."""
    if not per_dataset:
        return reruns.get(key, "")
    return "; ".join(f"`{k.removeprefix(key + '.')}`: {rules}" for k, rules in reruns.items()
                     if k.startswith(key + "."))


def _row(item: ConfigKey, reruns: dict[str, str]) -> str:
    field = item.field
    default = "required" if field.is_required() else value_text(field.get_default())
    example = value_text(item.example) if field.examples else ""
    section = item.key.removeprefix(f"datasets.{PLACEHOLDERS['datasets']}.")
    per_dataset = section in PER_DATASET_SECTIONS
    kind = (f"map of `{section}` keys" if per_dataset else
            type_text(field.annotation, field.metadata))
    cells = [f"`{item.key}`", kind, default, example, field.description or "",
             _reruns(item.key, reruns, per_dataset)]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _intro(section: str) -> str:
    annotation, _ = _without_none(WorkflowConfig.model_fields[section].annotation)
    model = _map_entry(annotation) or annotation
    doc = model.__dict__.get("__doc__") or sys.modules[model.__module__].__doc__
    return " ".join(doc.split())


def config_reference(reruns: dict[str, str]) -> str:
    """Every config key with its type, default, example, meaning and the rules a change to it
    reruns (`reruns`: key -> rules, as measured)."""
    per_dataset = " and ".join(f"`datasets.<name>.{s}`" for s in PER_DATASET_SECTIONS)
    run_wide = " and ".join(f"`faces.{s}`" for s in RUN_WIDE_FACE_SETTINGS)
    lines = [
        "From the settings models (`pipeline_steps/depthfake/settings/`): each key's type and "
        "limits, its default (the library's: the paper code's value where it has one, as the "
        "meaning says), an example value, its meaning, and the rules that `snakemake -n` "
        "plans when the key is changed to the example in the tiny workflow of the tests "
        "(beside `all`; \"nothing\": no job reads it there). A key left out of the config takes "
        "its default.",
        "",
        "`<name>` stands for a data set's name (a key of `datasets`), `<backbone>` for a "
        f"backbone of `train.backbones`. {per_dataset} take the keys of the top-level "
        f"sections of the same name (except {run_wide}), over them, for that data set alone. "
        "A name (of a data set, forgery or backbone) becomes a folder name in `results/`: "
        "letters, digits, `_`, `.` and `-` only.",
    ]
    sections: dict[str, list[ConfigKey]] = {}
    for item in config_keys():
        sections.setdefault(item.key.split(".")[0], []).append(item)
    for section, items in sections.items():
        lines += ["", f"### {section}", "", _intro(section), "",
                  "| key | type | default | example | meaning | a change reruns |",
                  "|---|---|---|---|---|---|", *(_row(item, reruns) for item in items)]
    return "\n".join(lines)
