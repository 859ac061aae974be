"""The documentation: the README a page that links every page of docs/, the generated parts of
every page up to date, links that lead somewhere, and every command shown run by CI or a test
(or named as needing what CI lacks). No test reads prose: commands come from
docs/commands.yaml, generated parts from their sources."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO, documented_commands

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
CANNOT_RUN_IN_CI = {"needs a GPU", "needs a cluster", "needs a data set", "needs network",
                    "needs conda"}
BLOCK = re.compile(r"^```(\w*)\n.*?^```$", re.S | re.M)
PART = re.compile(r"<!-- begin (.+?) -->\n.*?<!-- end \1 -->", re.S)
LINK = re.compile(r"\]\(([^)#\s]*)(#[^)\s]*)?\)")


def test_every_generated_page_is_up_to_date():
    result = subprocess.run([sys.executable, str(REPO / "docs" / "generate.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_is_one_page_that_opens_with_its_two_commands_and_links_every_doc():
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    shown = re.findall(r"<!-- begin command (\S+) -->", readme)
    assert shown[:2] == ["demo", "tests"]
    linked = {match[0] for match in LINK.findall(readme)}
    assert [p.name for p in PAGES[1:] if f"docs/{p.name}" not in linked] == []


def anchors(page) -> set[str]:
    """GitHub's anchors of a page's headings."""
    text = BLOCK.sub("", page.read_text())
    return {"#" + re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#+ (.+)$", text, re.M)}


def test_every_link_between_pages_leads_to_a_file_and_heading_that_exist():
    broken = []
    for page in PAGES:
        for target, anchor in LINK.findall(BLOCK.sub("", page.read_text())):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path = (page.parent / target).resolve() if target else page
            if not path.exists() or (anchor and path.suffix == ".md"
                                     and anchor not in anchors(path)):
                broken.append(f"{page.relative_to(REPO)}: {target}{anchor}")
    assert broken == []


def test_every_file_and_test_a_page_names_exists():
    """`path/in/the/repo` and tests/FILE.py::TEST in a page name what is there (paths with a
    placeholder, `<cell>` or `*`, are patterns)."""
    missing = []
    for page in PAGES:
        text = page.read_text()
        for path, test in re.findall(r"(tests/\w+\.py)::(\w+)", text):
            source = REPO / path
            if not source.exists() or f"def {test}(" not in source.read_text():
                missing.append(f"{page.name}: {path}::{test}")
        for path in re.findall(r"`((?:pipeline_steps|tests|workflow|benchmarks|docs|profiles"
                               r"|envs|\.ci)/[^`\s]*)`", text):
            if not re.search(r"[<*{]", path) and not (REPO / path.split("::")[0]).exists():
                missing.append(f"{page.name}: {path}")
    assert missing == []


def test_every_command_block_is_a_documented_command():
    """A shell or Python block outside a generated part is a command no test holds to."""
    typed = [f"{page.relative_to(REPO)}: {block.group(0)[:60]!r}" for page in PAGES
             for block in BLOCK.finditer(PART.sub("", page.read_text()))
             if block.group(1) in ("bash", "sh", "shell", "python", "")]
    assert typed == []
    shown = {name for page in PAGES
             for name in re.findall(r"<!-- begin command (\S+) -->", page.read_text())}
    assert sorted(set(documented_commands()) - shown) == [], "commands no page shows"


def test_every_command_is_run_by_ci_or_a_test_or_needs_what_ci_lacks():
    ci = (REPO / ".ci" / "run").read_text()
    unrun = {}
    for name, entry in documented_commands().items():
        run_by, lines = entry["run_by"], entry["command"].strip().splitlines()
        if run_by == "ci":
            missing = [line for line in lines if line not in ci]
        elif run_by.startswith("tests/"):
            path, _, test = run_by.partition("::")
            source = (REPO / path).read_text() if (REPO / path).exists() else ""
            missing = [] if f"def {test}(" in source else [run_by]
        else:
            missing = [] if run_by in CANNOT_RUN_IN_CI else [run_by]
        if missing:
            unrun[name] = missing
    assert unrun == {}
