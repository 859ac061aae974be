"""Regenerate every generated part of README.md and docs/*.md: the text between
`<!-- begin KEY -->` and `<!-- end KEY -->`, where KEY is

- `command NAME`: the command NAME of docs/commands.yaml, as a bash block;
- `records KIND`: the tables of docs/records/KIND.jsonl (benchmarks/render_records.py);
- `reference`: every config key, from the settings models, with what a change reruns
  (docs/records/reruns.json, measured by tests/test_workflow.py);
- `calibration`: what the statistics' calibration tests measured (docs/records/calibration.json,
  written by tests/test_bootstrap.py);
- `layout`: the library's folders, from their docstrings;
- `file PATH`: the file PATH of the repository, verbatim.

    python docs/generate.py          # rewrite every page whose generated parts changed
    python docs/generate.py --check  # name the pages that are not up to date; exit 1 if any
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "pipeline_steps"), str(REPO / "benchmarks")]

from depthfake.settings.reference import config_reference  # noqa: E402

from render_records import render  # noqa: E402

COMMANDS = REPO / "docs" / "commands.yaml"
RERUNS = REPO / "docs" / "records" / "reruns.json"
CALIBRATION = REPO / "docs" / "records" / "calibration.json"
LIBRARY = REPO / "pipeline_steps" / "depthfake"
GENERATED = re.compile(r"(<!-- begin (.+?) -->\n)(.*?)(<!-- end \2 -->)", re.DOTALL)


def pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def load_commands() -> dict[str, dict]:
    """docs/commands.yaml: name -> {command, run_by, and language where not bash}."""
    return yaml.safe_load(COMMANDS.read_text())


def command_block(name: str) -> str:
    commands = load_commands()
    if name not in commands:
        raise KeyError(f"no command {name!r} in {COMMANDS.relative_to(REPO)}")
    entry = commands[name]
    return f"```{entry.get('language', 'bash')}\n{entry['command'].strip()}\n```"


def reference() -> str:
    return config_reference(json.loads(RERUNS.read_text()))


def calibration() -> str:
    """The calibration simulations' results, one table row each."""
    record = json.loads(CALIBRATION.read_text())
    coverage, null = record["coverage"], record["null"]
    return "\n".join([
        "| simulation | runs | result |", "|---|---|---|",
        f"| coverage of a known gap, {coverage['clusters']} clusters | "
        f"{coverage['simulations']} | clusters resampled: {100 * coverage['clustered']:.1f} %; "
        f"videos resampled: {100 * coverage['videos']:.1f} % |",
        f"| true null, 3 seeds, tables with any mark | {null['tables']} | Holm: "
        f"{100 * null['holm']:.1f} %; uncorrected: {100 * null['uncorrected']:.1f} % |"])


def docstring_summary(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line."""
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    return " ".join(doc.split("\n\n")[0].split())


def layout() -> str:
    """One line per folder of the library, from its `__init__` docstring, then the modules
    that are infrastructure (named with a leading `_`)."""
    folders = sorted(p.parent for p in LIBRARY.glob("*/__init__.py"))
    lines = [f"- `{folder.name}/`: {docstring_summary(folder / '__init__.py')}"
             for folder in folders]
    private = sorted(str(p.relative_to(LIBRARY)) for p in LIBRARY.glob("*/_[!_]*.py"))
    return "\n".join([*lines, "", "Modules the library's users never import start with `_`: "
                      + ", ".join(f"`{name}`" for name in private) + "."])


def embedded_file(path: str) -> str:
    target = REPO / path
    if not target.is_file():
        raise FileNotFoundError(f"no file {path} to embed")
    language = {".yaml": "yaml", ".py": "python"}.get(target.suffix, "text")
    return f"```{language}\n{target.read_text().rstrip()}\n```"


SOURCES: dict[str, Callable[[str], str]] = {
    "command": command_block, "records": render, "file": embedded_file,
    "reference": lambda _: reference(), "layout": lambda _: layout(),
    "calibration": lambda _: calibration()}


def generated_part(key: str) -> str:
    kind, _, argument = key.partition(" ")
    if kind not in SOURCES:
        raise KeyError(f"unknown generated part {key!r}; known: {', '.join(SOURCES)}")
    return SOURCES[kind](argument)


def regenerated(text: str, page: Path) -> str:
    """`text` with every generated part made again."""
    def replace(match: re.Match) -> str:
        try:
            part = generated_part(match.group(2))
        except (KeyError, FileNotFoundError, ValueError) as error:
            raise SystemExit(f"{page.relative_to(REPO)}: {error}") from error
        return f"{match.group(1)}{part}\n{match.group(4)}"
    return GENERATED.sub(replace, text)


def stale_pages() -> dict[Path, str]:
    """The pages whose generated parts differ from what they would be now -> the new text."""
    return {page: new for page in pages()
            if (new := regenerated(text := page.read_text(), page)) != text}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; name the pages that are not up to date")
    args = parser.parse_args()
    stale = stale_pages()
    for page, text in stale.items():
        name = page.relative_to(REPO)
        if args.check:
            print(f"{name} is not up to date: run python docs/generate.py")
        else:
            page.write_text(text)
            print(f"regenerated {name}")
    if args.check and stale:
        sys.exit(1)


if __name__ == "__main__":
    main()
