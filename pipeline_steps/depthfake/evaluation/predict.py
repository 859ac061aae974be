"""Batched prediction: fake-class probabilities, labels, mean cross-entropy, and which faces'
depth fell back (their landmarks were lost after an attack)."""

from __future__ import annotations

import contextlib
from typing import NamedTuple

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from depthfake.datasets.loader import FaceBatches
from depthfake.training.distributed import Processes
from depthfake.training.inputs import DeviceInputs
from depthfake.training.sampling import evaluation_batches

SINGLE_PROCESS = Processes()


class Predictions(NamedTuple):
    probs: np.ndarray
    labels: np.ndarray
    loss: float
    depth_lost: np.ndarray


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager:
    """bf16 autocast on CUDA when `precision` is bf16; fp32 otherwise (always on the CPU)."""
    return torch.autocast(device.type, dtype=torch.bfloat16,
                          enabled=device.type == "cuda" and precision == "bf16")


def batch_loader(dataset: FaceBatches, batches: list[np.ndarray], workers: int,
                 device: torch.device) -> DataLoader:
    """Reads `batches` (lists of positions) in order, in `workers` processes, pinned on CUDA."""
    return DataLoader(dataset, sampler=batches, batch_size=None, num_workers=workers,
                      pin_memory=device.type == "cuda", prefetch_factor=4 if workers else None)


def predict(model: nn.Module, dataset: FaceBatches, inputs: DeviceInputs,
            precision: str = "fp32", *, batch_size: int = 128, workers: int = 0,
            processes: Processes = SINGLE_PROCESS) -> Predictions:
    """Predictions for every face in dataset order; with several processes each predicts a
    share and all receive the whole."""
    batches = evaluation_batches(len(dataset), batch_size, processes.rank, processes.count)
    parts, loss_sum = [], 0.0
    model.eval()
    with torch.inference_mode():
        for positions, batch in zip(batches, batch_loader(dataset, batches, workers,
                                                          inputs.device), strict=True):
            rgb, depth, label = inputs(batch)
            with autocast(inputs.device, precision):
                logits = model(rgb, depth).float()
            loss_sum += nn.functional.cross_entropy(logits, label, reduction="sum").item()
            parts.append((positions, logits.softmax(dim=1)[:, 1].cpu().numpy(),
                          batch.depth_lost.numpy()))
    gathered = [part for parts_of_one in processes.gather(parts) for part in parts_of_one]
    if not gathered:
        return Predictions(np.zeros(0), np.zeros(0, np.int64), float("nan"), np.zeros(0, bool))
    probs = np.empty(len(dataset), np.float32)
    lost = np.zeros(len(dataset), bool)
    for positions, part_probs, part_lost in gathered:
        probs[positions] = part_probs
        lost[positions] = part_lost
    return Predictions(probs, dataset.labels, sum(processes.gather(loss_sum)) / len(dataset),
                       lost)
