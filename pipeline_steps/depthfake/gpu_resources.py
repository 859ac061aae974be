"""The `gpu` resource a job asks Snakemake for, decided where Snakemake runs (no torch)."""

from __future__ import annotations

import glob
import os


def visible_gpus() -> int:
    """The GPUs of this machine: CUDA_VISIBLE_DEVICES when set, else /dev/nvidia<N>."""
    listed = os.environ.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        return len([d for d in listed.split(",") if d.strip() not in ("", "-1")])
    return len(glob.glob("/dev/nvidia[0-9]*"))


def gpu_request(device: str, count: int = 1) -> int:
    """`count` GPUs for a job on `cuda`, and on `auto` where this machine has a GPU (a node
    submitting to a cluster may have none: set cuda there); none on `cpu`."""
    return count if device == "cuda" or (device == "auto" and visible_gpus()) else 0
