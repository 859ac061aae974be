"""Depth from a neural network (Depth Anything V2, DPT, ZoeDepth, ...), batched on the device.

Crops travel to the device as uint8 and are resized and normalised there. On CUDA the encoder
(backbone and neck) runs under bf16 autocast and the head in fp32: bf16's 8-bit mantissa would
step a face's depth by about 1 % of the map's range (a model without a `head` module, such as
ZoeDepth, runs all of it under autocast). On the CPU all of it runs in fp32. The
prediction is resized back to the crop in fp32, antialiased, and mapped to the project's
convention on the device, so only float16 maps come back.
"""

from __future__ import annotations

import logging

import numpy as np
import torch
import torch.nn.functional as F

from depthfake.depth.hub import DepthNetwork, Output, load_depth_network
from depthfake.jobs.devices import resolve_device

log = logging.getLogger(__name__)
# The device types whose networks run under bf16 autocast, the head excepted (`Float32Head`).
AUTOCAST_DEVICES = frozenset({"cuda"})


def as_float32(value: object) -> object:
    """Floating tensors, alone or in lists and tuples, as float32; anything else as it is."""
    if isinstance(value, torch.Tensor):
        return value.float() if value.is_floating_point() else value
    if isinstance(value, list | tuple):
        return type(value)(map(as_float32, value))
    return value


class Float32Head(torch.nn.Module):
    """A network's head run in float32, autocast off, whatever its encoder ran in."""

    def __init__(self, head: torch.nn.Module, device_type: str):
        super().__init__()
        self.head = head
        self.device_type = device_type

    def forward(self, *inputs: object) -> torch.Tensor:
        with torch.autocast(self.device_type, enabled=False):
            return self.head(*as_float32(inputs))


def keep_head_in_float32(network: torch.nn.Module, device_type: str) -> bool:
    """Wrap `network.head` (transformers' depth models: DPT, Depth Anything, ...) in
    `Float32Head`; False, and a log line, for a network without one."""
    head = getattr(network, "head", None)
    if not isinstance(head, torch.nn.Module):
        log.warning("%s has no `head`: all of it runs under bf16 autocast",
                    type(network).__name__)
        return False
    network.head = Float32Head(head, device_type)
    return True


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
        self.autocast = device.type in AUTOCAST_DEVICES
        precision = "fp32"
        if self.autocast:
            fp32_head = keep_head_in_float32(self.network, device.type)
            precision = "bf16 encoder, fp32 head" if fp32_head else "bf16"
        self.identity = {**depth.identity, "output": depth.output, "input_size": input_size,
                         "device": device.type, "precision": precision}

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
        depth = F.interpolate(depth, size=crops.shape[1:3], mode="bilinear", antialias=True)[:, 0]
        return relative_depth(depth, self.output).half().cpu().numpy()


def load_neural_depth(model: str, input_size: int, batch_size: int, device: str) -> NeuralDepth:
    """The depth backend `depth_anything`: any transformers depth-estimation model."""
    estimator = NeuralDepth(load_depth_network(model), input_size, batch_size,
                            resolve_device(device, "depth.depth_anything.device"))
    log.info("depth model %s", estimator.identity)
    return estimator
