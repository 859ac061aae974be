"""Checkpoints: weights as safetensors, config and training record as JSON beside them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from safetensors.torch import load_file, save_file
from torch import nn

from depthfake.models.registry import DetectorConfig, create_detector
from depthfake.steps import atomic_output


def save_detector(model: nn.Module, config: DetectorConfig, weights: str | os.PathLike,
                  meta: str | os.PathLike, record: dict) -> None:
    """Write the weights and a JSON holding the config (preprocessing included) and `record`."""
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    with atomic_output(weights) as tmp:
        save_file(state, str(tmp))
    with atomic_output(meta) as tmp:
        tmp.write_text(json.dumps({"config": config.to_dict(), **record}, indent=2))


def load_detector(weights: str | os.PathLike, meta: str | os.PathLike
                  ) -> tuple[nn.Module, DetectorConfig]:
    """Rebuild a detector from its JSON and load its weights by name (strict; no pickle)."""
    config = DetectorConfig.from_dict(json.loads(Path(meta).read_text())["config"])
    model = create_detector(config)
    model.load_state_dict(load_file(str(weights)), strict=True)
    return model.eval(), config
