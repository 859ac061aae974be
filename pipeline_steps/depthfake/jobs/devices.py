"""Choosing the torch device a setting asks for, and the small device facts benchmarks need."""

from __future__ import annotations

import logging

import torch

log = logging.getLogger(__name__)


def resolve_device(device: str, setting: str) -> torch.device:
    """`auto`: CUDA when available, else the CPU. `cuda` in a job given no GPU (none that
    torch sees) runs on the CPU, with one warning naming the `setting` that asked for it."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        log.warning("%s is cuda, but this job was given no GPU (torch sees none): running on "
                    "the CPU, much slower; give the job a GPU or set %s to cpu", setting, setting)
        device = "cpu"
    return torch.device(device)


def synchronise(device: torch.device) -> None:
    """Wait for the device's queued work (a no-op on the CPU), before reading a clock."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def device_name(device: torch.device) -> str:
    """The GPU's model name, or `cpu`."""
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
