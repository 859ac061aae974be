"""Each rule's conda environment parses, pins what pyproject.toml pins, and holds every
third-party package the rule's script imports, followed through the depthfake library.

conda cannot run on the machines this project is built on, so `--use-conda` is checked here,
statically: imports are read from the source (module level and inside functions), a registry
that creates backends counts as importing all of them, and a package located with
`find_spec` counts as imported.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from depthfake.demo.sources import PEOPLE

from conftest import REPO

STEPS = REPO / "pipeline_steps"
# Import names that differ from their distribution's name.
DISTRIBUTIONS = {
    "cv2": "opencv-python", "dlib": "dlib-bin", "face_alignment": "face-alignment",
    "face_recognition_models": "face-recognition-models", "huggingface_hub": "huggingface-hub",
    "imageio_ffmpeg": "imageio-ffmpeg", "pytorch_grad_cam": "grad-cam",
    "skimage": "scikit-image", "sklearn": "scikit-learn",
    "skvideo": "scikit-video", "yaml": "pyyaml",
}
# Modules that locate packages by a name held in data, not in a find_spec("...") literal.
DATA_PACKAGES = {STEPS / "depthfake/demo/sources.py": {p.package for p in PEOPLE}}


def registries() -> dict[str, list[str]]:
    """Each registry of depthfake.plan.catalogue: its name -> the modules of its targets."""
    text = (STEPS / "depthfake" / "plan" / "catalogue.py").read_text()
    return {m[1]: re.findall(r'"(depthfake\.[\w.]+):\w+"', m[2])
            for m in re.finditer(r'(\w+) = Registry\("[^"]+", \{(.*?)\}\)', text, re.S)}


def module_file(name: str) -> Path | None:
    """The source file of a depthfake module or of a step script beside it."""
    path = STEPS / Path(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_names(path: Path) -> list[str]:
    """Everything a source file imports (anywhere), creates from a registry or locates."""
    text = path.read_text()
    names = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
    for registry, targets in registries().items():
        if re.search(rf"\b{registry}\.(create|resolve)\(", text):
            names += targets
    return names + re.findall(r'find_spec\("(\w+)"\)', text) + sorted(
        DATA_PACKAGES.get(path, ()))


def third_party_imports(script: Path) -> set[str]:
    """The distributions a step script needs, following imports through the library."""
    seen, found, todo = set(), set(), [script]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imported_names(path):
            top = name.split(".")[0]
            if local := module_file(name if top == "depthfake" else top):
                todo.append(local)
            elif top not in {"depthfake", "__future__", *sys.stdlib_module_names}:
                found.add(DISTRIBUTIONS.get(top, top))  # (depthfake.x.Name: not a module)
    return found


def rule_environments() -> dict[str, tuple[str, str]]:
    """rule -> (its step script, its conda env file), from workflow/rules/*.smk."""
    rules = {}
    for path in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        for block in re.split(r"^rule ", path.read_text(), flags=re.M)[1:]:
            name = block.split(":")[0]
            script = re.search(r'step_script\("(\w+)"\)', block)
            env = re.search(r'conda:\s*"\.\./\.\./(envs/[\w.]+)"', block)
            assert script and env, f"rule {name} needs a step script and a conda env"
            rules[name] = (script[1], env[1])
    return rules


def requirement_name(requirement: str) -> str:
    return re.split(r"[=<>!~ ]", requirement, maxsplit=1)[0].lower()


def pip_requirements(env: str) -> dict[str, str]:
    spec = yaml.safe_load((REPO / env).read_text())
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    return {requirement_name(r): r for r in pip}


PROJECT = {requirement_name(r): r for r in tomllib.loads(
    (REPO / "pyproject.toml").read_text())["project"]["dependencies"]}
RULES = rule_environments()


def test_every_rule_has_an_environment_file():
    assert len(RULES) == 17
    envs = {env for _, env in RULES.values()}
    assert envs == {p.relative_to(REPO).as_posix() for p in (REPO / "envs").glob("*.yaml")}


@pytest.mark.parametrize("env", sorted({env for _, env in RULES.values()}))
def test_an_environment_pins_what_the_project_pins(env):
    requirements = pip_requirements(env)
    assert {name: PROJECT.get(name) for name in requirements} == requirements


@pytest.mark.parametrize("rule", sorted(RULES))
def test_a_rules_environment_holds_what_its_script_imports(rule):
    script, env = RULES[rule]
    needed = third_party_imports(STEPS / f"{script}.py")
    assert needed <= set(PROJECT), f"{script} imports undeclared {needed - set(PROJECT)}"
    assert not needed - set(pip_requirements(env)), (env, needed - set(pip_requirements(env)))


def test_the_import_reader_follows_registries_lazy_imports_and_find_spec():
    assert {"torch", "face-alignment", "dlib-bin", "face-recognition-models"} <= (
        third_party_imports(STEPS / "crop_faces.py"))
    assert "torch" not in third_party_imports(STEPS / "extract_frames.py")
    assert {"scikit-video", "matplotlib", "scikit-image"} <= third_party_imports(
        STEPS / "demo_dataset.py")
