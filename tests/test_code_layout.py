"""The shape of the code: the library by role (each folder saying what it holds, which
docs/development.md's layout is generated from), a thin workflow, thin steps."""

from __future__ import annotations

from conftest import REPO

LIBRARY = REPO / "pipeline_steps" / "depthfake"


def folders() -> list[str]:
    return sorted(p.parent.name for p in LIBRARY.glob("*/__init__.py"))


def test_the_library_has_no_module_but_its_init_at_the_top():
    assert [p.name for p in LIBRARY.glob("*.py")] == ["__init__.py"]


def test_every_library_folder_says_what_it_holds():
    assert [f for f in folders() if not (LIBRARY / f / "__init__.py").read_text().startswith(
        '"""')] == []


def test_steps_are_thin_and_the_workflow_helpers_short():
    long = {p.name: n for p in (REPO / "pipeline_steps").glob("*.py")
            if (n := len(p.read_text().splitlines())) > 80}
    assert long == {}, "a step script parses its options and calls one library function"
    assert len((REPO / "workflow/rules/common.smk").read_text().splitlines()) <= 150
