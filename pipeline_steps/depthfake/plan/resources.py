"""The `gpu` resource a job asks Snakemake for, decided where Snakemake runs (no torch)."""

from __future__ import annotations

import glob
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from depthfake.settings import WorkflowConfig


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



def face_gpus(config: WorkflowConfig, dataset: str) -> int:
    """A GPU for cropping `dataset` with face_alignment on cuda (or auto, on a machine with
    one)."""
    faces = config.faces_of(dataset)
    return gpu_request(faces.face_alignment.device) if faces.backend == "face_alignment" else 0


def depth_gpus(config: WorkflowConfig, backend: str) -> int:
    """A GPU for the neural depth backend on cuda (or auto, on a machine with one)."""
    return gpu_request(config.depth.depth_anything.device) if backend == "depth_anything" \
        else 0
