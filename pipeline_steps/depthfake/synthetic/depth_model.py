"""Depth Anything V2 models with random weights, saved as model folders: the real loading path,
offline, for tests and benchmarks (no registry package ships depth-estimation weights)."""

from __future__ import annotations

import os
from pathlib import Path

import torch

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Backbone and head sizes: "small" is Depth Anything V2 Small's shape (24.8 M parameters),
# "tiny" a 0.1 M-parameter model of the same architecture for quick tests.
SHAPES = {
    "small": dict(backbone=dict(hidden_size=384, num_hidden_layers=12, num_attention_heads=6),
                  head=dict(reassemble_hidden_size=384, neck_hidden_sizes=[48, 96, 192, 384],
                            fusion_hidden_size=64, head_hidden_size=32)),
    "tiny": dict(backbone=dict(hidden_size=32, num_hidden_layers=4, num_attention_heads=2),
                 head=dict(reassemble_hidden_size=32, neck_hidden_sizes=[8, 16, 32, 32],
                           fusion_hidden_size=16, head_hidden_size=8)),
}


def save_random_depth_anything(folder: str | os.PathLike, shape: str = "small",
                               output: str = "relative", seed: int = 0) -> Path:
    """Write a randomly initialised Depth Anything model and its image processor to `folder`,
    as `save_pretrained` does for a downloaded one; `output` is relative or metric."""
    from transformers import (
        DepthAnythingConfig,
        DepthAnythingForDepthEstimation,
        Dinov2Config,
        DPTImageProcessor,
    )

    sizes = SHAPES[shape]
    layers = sizes["backbone"]["num_hidden_layers"]
    backbone = Dinov2Config(**sizes["backbone"], patch_size=14, image_size=518,
                            out_indices=[layers // 4 * i for i in range(1, 5)],
                            reshape_hidden_states=False)
    config = DepthAnythingConfig(backbone_config=backbone, depth_estimation_type=output,
                                 **sizes["head"])
    torch.manual_seed(seed)
    DepthAnythingForDepthEstimation(config).save_pretrained(folder)
    DPTImageProcessor(size={"height": 518, "width": 518}, keep_aspect_ratio=True,
                      ensure_multiple_of=14, image_mean=IMAGENET_MEAN,
                      image_std=IMAGENET_STD).save_pretrained(folder)
    return Path(folder)
