"""Choosing the torch device a setting asks for, and the small device facts benchmarks need."""

from __future__ import annotations

import torch


def resolve_device(device: str, setting: str) -> torch.device:
    """`auto`: CUDA when available, else the CPU; `cuda` without a GPU is an error naming
    the `setting` that asked for it."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"{setting} 'cuda' was asked for, but torch sees no GPU; "
                           f"set {setting} to auto or cpu")
    return torch.device(device)


def synchronise(device: torch.device) -> None:
    """Wait for the device's queued work (a no-op on the CPU), before reading a clock."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def device_name(device: torch.device) -> str:
    """The GPU's model name, or `cpu`."""
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
