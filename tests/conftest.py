"""Shared fixtures. Tests never touch the network: hub access is switched off here."""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
COMMANDS = REPO / "docs" / "commands.yaml"


def documented_commands() -> dict[str, dict]:
    """docs/commands.yaml: every command the docs show, by name, with what runs it."""
    return yaml.safe_load(COMMANDS.read_text())


def documented_command(name: str) -> list[str]:
    """The lines of command `name` as the docs show it."""
    return documented_commands()[name]["command"].strip().splitlines()


def browser_missing() -> str | None:
    """Why the browser tests cannot run here (None when Playwright and Chromium are here)."""
    from depthfake.reporting.browser_check import CHROMIUM

    if find_spec("playwright") is None:
        return "Playwright is not installed: pip install -e '.[test]'"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}: apt-get install chromium"
    return None


def require_browser(what: str) -> None:
    """Skip without a browser, but fail under CI=true: CI must `what` in a browser."""
    if reason := browser_missing():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must {what} in a browser: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """Eileen Collins (scikit-image's astronaut.png, public domain), RGB uint8 512 x 512."""
    path = Path(find_spec("skimage").submodule_search_locations[0]) / "data" / "astronaut.png"
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="session")
def face_detector():
    from depthfake.faces import create_face_detector

    return create_face_detector("dlib", upsample=0, landmark_model=None)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> dict:
    """The tiny workflow, finished locally (tests/tiny_workflow.py); shared by the workflow and
    Slurm tests."""
    from tiny_workflow import finished_tiny_run

    return finished_tiny_run(tmp_path_factory.mktemp("workflow"))
