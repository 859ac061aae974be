"""Finding and loading a transformers depth-estimation model: a hub id or a local folder.

Both go through one path: a hub id is first resolved to its local snapshot folder (downloaded,
or found in the Hugging Face cache when offline), then the folder is loaded with safetensors
weights only. A model that cannot be found is one `MissingModelError` saying how to supply it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import torch

if TYPE_CHECKING:
    from transformers import PretrainedConfig

# The files a depth model needs: its config, its image processor's config, its weights.
MODEL_FILES = ["*.json", "*.safetensors"]
# Model types whose networks predict metric depth (metres, larger = farther) and whose config
# does not say so itself through `depth_estimation_type`.
METRIC_MODEL_TYPES = frozenset({"zoedepth", "glpn", "depth_pro"})
Output = Literal["relative", "metric"]


class MissingModelError(FileNotFoundError):
    """A depth model that is neither a model folder nor reachable on (or cached from) the hub."""


@dataclass(frozen=True)
class DepthNetwork:
    """A loaded depth network and what is needed to feed it and read it.

    `output` is "relative" (inverse depth up to scale and shift, larger = nearer) or "metric"
    (metres, larger = farther); `identity` names the exact weights (for the HDF5 attributes).
    """

    network: torch.nn.Module
    output: Output
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    patch_size: int
    identity: dict


def how_to_supply(source: str) -> str:
    return (f"depth model {source!r} is neither a model folder nor available from the Hugging "
            "Face hub cache. Supply it: run once with network access so the hub id downloads "
            "(HF_HUB_OFFLINE unset), or set depth.depth_anything.model to a folder written by "
            "`model.save_pretrained(folder)` and `image_processor.save_pretrained(folder)`")


def resolve_model(source: str) -> tuple[Path, str | None]:
    """The local folder holding `source`, and the hub revision (commit) of a hub id."""
    folder = Path(source).expanduser()
    if folder.is_dir():
        return folder, None
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        folder = Path(snapshot_download(source, allow_patterns=MODEL_FILES))
    except (LocalEntryNotFoundError, HFValidationError) as err:
        raise MissingModelError(how_to_supply(source)) from err
    return folder, folder.name  # the snapshot folder is named after the commit


def weights_sha256(folder: Path) -> str:
    """SHA-256 over the folder's safetensors files, in name order."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.safetensors")):
        with path.open("rb") as handle:
            while block := handle.read(1 << 24):
                digest.update(block)
    return digest.hexdigest()


def normalisation(folder: Path) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The mean and std the model's image processor normalises with."""
    path = folder / "preprocessor_config.json"
    if not path.is_file():
        raise MissingModelError(f"{folder} has no preprocessor_config.json: save the image "
                                "processor beside the model (image_processor.save_pretrained)")
    processor = json.loads(path.read_text())
    if not processor.get("do_normalize", True):
        return (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)
    return tuple(processor["image_mean"]), tuple(processor["image_std"])


def output_kind(config: PretrainedConfig) -> Output:
    """Whether a model predicts relative inverse depth or metric depth."""
    declared = getattr(config, "depth_estimation_type", None)
    if declared:
        return declared
    return "metric" if config.model_type in METRIC_MODEL_TYPES else "relative"


def patch_size(config: PretrainedConfig) -> int:
    """The side of the backbone's patches (the input side must be a multiple of it)."""
    backbone = getattr(config, "backbone_config", None)
    return int(getattr(config, "patch_size", None) or getattr(backbone, "patch_size", None) or 1)


def load_depth_network(source: str) -> DepthNetwork:
    """The depth network `source` (hub id or folder), in eval mode, on the CPU."""
    from transformers import AutoModelForDepthEstimation

    folder, revision = resolve_model(source)
    if not (folder / "config.json").is_file():
        raise MissingModelError(f"{folder} holds no config.json: {how_to_supply(source)}")
    mean, std = normalisation(folder)
    network = AutoModelForDepthEstimation.from_pretrained(folder, use_safetensors=True).eval()
    identity = {"model": source, "model_type": network.config.model_type}
    identity |= {"revision": revision} if revision else {"weights_sha256": weights_sha256(folder)}
    return DepthNetwork(network=network, output=output_kind(network.config), mean=mean, std=std,
                        patch_size=patch_size(network.config), identity=identity)
