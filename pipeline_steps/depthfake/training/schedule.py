"""The learning rate of every optimizer step: warmup, then a plateau or cosine schedule."""

from __future__ import annotations

import math

import torch

from depthfake.settings import TrainSettings

# A validation loss must fall by this fraction to count as lower (torch's ReduceLROnPlateau).
PLATEAU_THRESHOLD = 1e-4


class LearningRate:
    """lr(step) = lr x warmup(step) x schedule.

    warmup rises linearly over `warmup_epochs`; `plateau` multiplies by `scheduler_factor`
    once the validation loss has not fallen for more than `scheduler_patience` epochs (the
    rule of torch's ReduceLROnPlateau, without cooldown); `cosine` falls from 1 at the end of
    warmup towards 0 at the end of the last epoch. Its state is three numbers, saved for resuming.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, settings: TrainSettings,
                 steps_per_epoch: int):
        self.optimizer = optimizer
        self.settings = settings
        self.warmup_steps = round(settings.warmup_epochs * steps_per_epoch)
        self.total_steps = settings.epochs * steps_per_epoch
        self.decay, self.best_loss, self.bad_epochs = 1.0, math.inf, 0

    def at(self, step: int) -> float:
        """The learning rate of optimizer step `step` (0-based)."""
        warmup = min(1.0, (step + 1) / self.warmup_steps) if self.warmup_steps else 1.0
        if self.settings.schedule == "cosine":
            progress = (step - self.warmup_steps) / max(1, self.total_steps - self.warmup_steps)
            return self.settings.lr * warmup * 0.5 * (1 + math.cos(math.pi * min(1.0, max(
                0.0, progress))))
        return self.settings.lr * warmup * self.decay

    def apply(self, step: int) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = self.at(step)

    def end_epoch(self, val_loss: float) -> None:
        """Plateau bookkeeping on the epoch's validation loss."""
        if self.settings.schedule != "plateau":
            return
        if val_loss < self.best_loss * (1 - PLATEAU_THRESHOLD):
            self.best_loss, self.bad_epochs = val_loss, 0
            return
        self.bad_epochs += 1
        if self.bad_epochs > self.settings.scheduler_patience:
            self.decay *= self.settings.scheduler_factor
            self.bad_epochs = 0

    def state_dict(self) -> dict:
        return {"decay": self.decay, "best_loss": self.best_loss, "bad_epochs": self.bad_epochs}

    def load_state_dict(self, state: dict) -> None:
        self.decay, self.best_loss, self.bad_epochs = (
            state["decay"], state["best_loss"], state["bad_epochs"])
