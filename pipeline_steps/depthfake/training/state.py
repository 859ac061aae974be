"""The training state saved after every epoch, to resume a killed job where it stopped.

One file, written atomically with `torch.save` and read with `weights_only=True` (tensors,
numbers, strings, lists and dicts only: nothing is unpickled as code). A state made by other
settings or data (its fingerprint differs) is not resumed from.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import torch

from depthfake.storage.atomic import atomic_output

log = logging.getLogger(__name__)


def fingerprint(*parts: object) -> str:
    """A digest of what the state depends on (settings, cell, training faces)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def rng_states() -> dict:
    states = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def restore_rng_states(states: dict) -> None:
    torch.set_rng_state(states["torch"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])


def save_state(path: str | os.PathLike, state: dict) -> None:
    with atomic_output(path) as tmp:
        torch.save(state, tmp)


def load_state(path: str | os.PathLike | None, expected: str) -> dict | None:
    """The saved state at `path` when it was made with the `expected` fingerprint."""
    if path is None or not Path(path).exists():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any unreadable state means: start afresh
        log.warning("ignoring unreadable training state %s (%s); starting afresh", path, err)
        return None
    if state.get("fingerprint") != expected:
        log.warning("ignoring training state %s: made with other settings or data", path)
        return None
    log.info("resuming from %s after epoch %d", path, state["epoch"] - 1)
    return state
