"""Checkpoints: weights as safetensors, config and training record as JSON beside them."""

from __future__ import annotations

import os

from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from depthfake.models.detectors import DetectorConfig, create_detector
from depthfake.plan.provenance import provenance
from depthfake.storage.atomic import atomic_output
from depthfake.storage.files import read_json, unreadable, write_json


def save_detector(model: nn.Module, config: DetectorConfig, weights: str | os.PathLike,
                  meta: str | os.PathLike, record: dict) -> None:
    """Write the weights, and a JSON holding the config (normalisation included), `record`
    and the provenance (code version, config hash, package versions)."""
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    with atomic_output(weights) as tmp:
        save_file(state, str(tmp))
    write_json(meta, {"config": config.to_dict(), **record, "provenance": provenance()})


def read_checkpoint_meta(meta: str | os.PathLike) -> dict:
    """The JSON written beside a checkpoint's weights."""
    record = read_json(meta, "checkpoint JSON")
    if "config" not in record:
        raise unreadable(meta, "checkpoint JSON", KeyError("config"))
    return record


def load_detector(weights: str | os.PathLike, meta: str | os.PathLike
                  ) -> tuple[nn.Module, DetectorConfig]:
    """Rebuild a detector from its JSON and load its weights by name (strict; no pickle)."""
    config = DetectorConfig.from_dict(read_checkpoint_meta(meta)["config"])
    model = create_detector(config)
    try:
        state = load_file(str(weights))
    except (OSError, SafetensorError) as err:
        raise unreadable(weights, "safetensors file", err) from err
    model.load_state_dict(state, strict=True)
    return model.eval(), config
