"""The order of one epoch, fixed by (seed, epoch) alone so that a resumed run draws the same:
which faces, in which micro-batches, on which process, mirrored or not."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StepPlan:
    """How an optimizer step is split: `effective_batch` images = `batch_size` per forward
    x `accumulation` forwards x `processes`."""

    batch_size: int
    accumulation: int
    processes: int

    @property
    def effective_batch(self) -> int:
        return self.batch_size * self.accumulation * self.processes

    @classmethod
    def of(cls, batch_size: int, effective_batch: int | None, processes: int) -> StepPlan:
        per_step = effective_batch or batch_size * processes
        if per_step % (batch_size * processes):
            raise ValueError(f"train.effective_batch {per_step} is not a multiple of "
                             f"train.batch_size x processes = {batch_size} x {processes}")
        return cls(batch_size, per_step // (batch_size * processes), processes)


@dataclass(frozen=True)
class EpochBatches:
    """This process's micro-batches of one epoch (dataset positions) and their flips."""

    positions: list[np.ndarray]
    flips: list[np.ndarray]


def epoch_order(labels: np.ndarray, seed: int, epoch: int, balanced: bool,
                flip_probability: float) -> tuple[np.ndarray, np.ndarray]:
    """A permutation of the faces (or, balanced, as many draws with replacement, each class
    equally likely) and a flip decision per draw."""
    rng = np.random.default_rng([seed, epoch])
    count = len(labels)
    if balanced:
        weights = 1.0 / np.bincount(labels)[labels]
        order = rng.choice(count, size=count, replace=True, p=weights / weights.sum())
    else:
        order = rng.permutation(count)
    return order, rng.random(count) < flip_probability


def epoch_batches(labels: np.ndarray, plan: StepPlan, rank: int, seed: int, epoch: int, *,
                  balanced: bool = False, flip_probability: float = 0.0) -> EpochBatches:
    """Every full optimizer step of the epoch (a last partial step is left out; the next
    epoch's order differs), cut into micro-batches; process `rank` gets its consecutive
    share of each step."""
    order, flips = epoch_order(labels, seed, epoch, balanced, flip_probability)
    steps = len(order) // plan.effective_batch
    if steps == 0:
        raise ValueError(f"train.effective_batch {plan.effective_batch} is larger than the "
                         f"training set ({len(order)} faces)")
    positions, flip_list = [], []
    per_process = plan.batch_size * plan.accumulation
    for step in range(steps):
        start = step * plan.effective_batch + rank * per_process
        for micro in range(plan.accumulation):
            part = slice(start + micro * plan.batch_size, start + (micro + 1) * plan.batch_size)
            positions.append(order[part])
            flip_list.append(flips[part])
    return EpochBatches(positions, flip_list)


def evaluation_batches(count: int, batch_size: int, rank: int = 0, processes: int = 1
                       ) -> list[np.ndarray]:
    """Positions in dataset order, in batches; process `rank` takes every processes-th."""
    batches = [np.arange(start, min(start + batch_size, count))
               for start in range(0, count, batch_size)]
    return batches[rank::processes]
