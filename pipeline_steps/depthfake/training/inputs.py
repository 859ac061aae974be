"""Batches to model inputs on the training device: uint8 travels, the device converts,
normalises with the backbone's mean and std, and mirrors."""

from __future__ import annotations

import torch

from depthfake.datasets.loader import FaceBatch
from depthfake.models import DetectorConfig


class DeviceInputs:
    """Turns a `FaceBatch` into normalised (rgb, depth, label) tensors on `device`, NCHW
    (channels_last on CUDA)."""

    def __init__(self, config: DetectorConfig, device: torch.device):
        self.device = device
        self.mean = torch.tensor(config.rgb_mean, device=device).view(1, 3, 1, 1)
        self.std = torch.tensor(config.rgb_std, device=device).view(1, 3, 1, 1)
        self.depth_mean, self.depth_std = config.depth_mean, config.depth_std
        self.memory_format = (torch.channels_last if device.type == "cuda"
                              else torch.contiguous_format)

    def __call__(self, batch: FaceBatch, flip: torch.Tensor | None = None
                 ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """`flip`: a boolean per sample; those samples are mirrored left to right."""
        rgb = batch.rgb.to(self.device, non_blocking=True).permute(0, 3, 1, 2).float()
        if batch.rgb.dtype == torch.uint8:
            rgb = rgb / 255.0
        rgb = (rgb - self.mean) / self.std
        if batch.depth.numel():
            depth = batch.depth.to(self.device, non_blocking=True).float().unsqueeze(1)
            depth = (depth - self.depth_mean) / self.depth_std
        else:
            depth = torch.zeros_like(rgb[:, :1])
        if flip is not None and flip.any():
            mirrored = flip.to(self.device).view(-1, 1, 1, 1)
            rgb = torch.where(mirrored, rgb.flip(-1), rgb)
            depth = torch.where(mirrored, depth.flip(-1), depth)
        label = batch.label.to(self.device, non_blocking=True)
        return (rgb.contiguous(memory_format=self.memory_format),
                depth.contiguous(memory_format=self.memory_format), label)
