"""Grad-CAM maps of trained detectors (the grad-cam package), one per stream.

grad-cam drives a model with one input tensor; `StackedInputs` gives every detector that
form (RGB and depth stacked as four channels, split again inside). Each detector names the
layer of each of its streams that the maps come from (`cam_layers`): the last feature map
before the global pool, of its backbone or of each stream's tail.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
from torch import nn

FAKE_CLASS = 1


class StackedInputs(nn.Module):
    """A detector taking (rgb, depth) as one (N, 3 + 1, H, W) tensor."""

    def __init__(self, detector: nn.Module):
        super().__init__()
        self.detector = detector

    def forward(self, stacked: torch.Tensor) -> torch.Tensor:
        return self.detector(stacked[:, :3], stacked[:, 3:])


class StreamMap(NamedTuple):
    stream: str  # rgb, depth, rgb-d, fused
    layer: str  # the layer's name in the detector
    maps: np.ndarray  # (N, H, W) in [0, 1], each map scaled to its own maximum


def layer_name(model: nn.Module, layer: nn.Module) -> str:
    """The qualified name of `layer` inside `model`, with its class."""
    name = next(name for name, module in model.named_modules() if module is layer)
    return f"{name} ({type(layer).__name__})"


def grad_cams(detector: nn.Module, rgb: torch.Tensor, depth: torch.Tensor) -> list[StreamMap]:
    """The Grad-CAM of the fake-class logit at each stream's layer, for normalised inputs
    (N, 3, H, W) and (N, 1, H, W), at input resolution."""
    model = StackedInputs(detector.eval())
    stacked = torch.cat([rgb, depth], dim=1)
    targets = [ClassifierOutputTarget(FAKE_CLASS)] * len(stacked)
    maps = []
    for stream, layer in detector.cam_layers().items():
        with GradCAM(model=model, target_layers=[layer]) as cam:
            values = cam(input_tensor=stacked, targets=targets)
        maps.append(StreamMap(stream, layer_name(detector, layer), values.astype(np.float32)))
    return maps
