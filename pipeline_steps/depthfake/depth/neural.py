"""Depth from a neural network (Depth Anything V2, DPT, ZoeDepth, ...), batched on the device.

Crops travel to the device as uint8 and are resized and normalised there; the forward pass
runs under bf16 autocast on CUDA (fp32 on the CPU); the prediction is resized back to the crop
on the device and mapped to the project's convention there, so only float16 maps come back.
"""

from __future__ import annotations

import logging

import numpy as np
import torch
import torch.nn.functional as F

from depthfake.depth.hub import DepthNetwork, Output, load_depth_network
from depthfake.jobs.devices import resolve_device

log = logging.getLogger(__name__)


def relative_depth(prediction: torch.Tensor, output: Output) -> torch.Tensor:
    """Network predictions (N, H, W) as relative depth in [0, 1] per map, 1 = nearest.

    Relative models predict inverse depth up to an unknown scale and shift, so only an affine
    map of it is well defined: min-max per crop. Metric depth (larger = farther) is mapped
    linearly as well, reversed, like the landmark backend's camera distances. Over a face, whose
    depth range is small beside its distance to the camera, inverse depth is close to affine in
    depth, so both give the same map to first order.
    """
    nearness = prediction if output == "relative" else -prediction
    low = nearness.amin(dim=(1, 2), keepdim=True)
    high = nearness.amax(dim=(1, 2), keepdim=True)
    return (nearness - low) / (high - low).clamp_min(1e-6)


class NeuralDepth:
    """A depth network applied to uint8 crops (N, S, S, 3); returns float16 maps (N, S, S).

    Landmarks are not used. Works on any number of crops, `batch_size` at a time.
    """

    needs_landmarks = False
    marks_background = False

    def __init__(self, depth: DepthNetwork, input_size: int, batch_size: int,
                 device: torch.device):
        if input_size % depth.patch_size:
            raise ValueError(f"depth input_size {input_size} is not a multiple of the model's "
                             f"patch size {depth.patch_size} (try "
                             f"{round(input_size / depth.patch_size) * depth.patch_size})")
        self.network = depth.network.to(device)
        self.output = depth.output
        self.input_size = input_size
        self.batch_size = batch_size
        self.device = device
        self.mean = torch.tensor(depth.mean, device=device).view(1, 3, 1, 1)
        self.std = torch.tensor(depth.std, device=device).view(1, 3, 1, 1)
        self.autocast = device.type == "cuda"
        self.identity = {**depth.identity, "output": depth.output, "input_size": input_size,
                         "device": device.type, "precision": "bf16" if self.autocast else "fp32"}

    def estimate(self, crops: np.ndarray, landmarks: np.ndarray | None = None) -> np.ndarray:
        maps = np.empty(crops.shape[:3], np.float16)
        for start in range(0, len(crops), self.batch_size):
            rows = slice(start, start + self.batch_size)
            maps[rows] = self._estimate_batch(crops[rows])
        return maps

    @torch.inference_mode()
    def _estimate_batch(self, crops: np.ndarray) -> np.ndarray:
        pixels = torch.from_numpy(np.ascontiguousarray(crops))
        if self.device.type == "cuda":
            pixels = pixels.pin_memory()
        pixels = pixels.to(self.device, non_blocking=True).permute(0, 3, 1, 2).float() / 255
        side = (self.input_size, self.input_size)
        pixels = F.interpolate(pixels, size=side, mode="bicubic", antialias=True).clamp_(0, 1)
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.autocast):
            prediction = self.network(pixel_values=(pixels - self.mean) / self.std)
        depth = prediction.predicted_depth.float()[:, None]
        depth = F.interpolate(depth, size=crops.shape[1:3], mode="bilinear")[:, 0]
        return relative_depth(depth, self.output).half().cpu().numpy()


def load_neural_depth(model: str, input_size: int, batch_size: int, device: str) -> NeuralDepth:
    """The depth backend `depth_anything`: any transformers depth-estimation model."""
    estimator = NeuralDepth(load_depth_network(model), input_size, batch_size,
                            resolve_device(device, "depth.depth_anything.device"))
    log.info("depth model %s", estimator.identity)
    return estimator
