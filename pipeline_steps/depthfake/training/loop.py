"""Training one detector: micro-batches accumulated to the effective batch (across processes
with DistributedDataParallel), warmup and schedule, clipping, an optional weight average;
the epoch kept is chosen on the validation set only; the state is saved every epoch."""

from __future__ import annotations

import contextlib
import logging
import math
import time
from pathlib import Path

import numpy as np
import torch
from timm.utils import ModelEmaV3
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from depthfake.datasets.loader import FaceBatches
from depthfake.evaluation.metrics import binary_metrics
from depthfake.evaluation.predict import autocast, batch_loader, predict
from depthfake.jobs.devices import resolve_device
from depthfake.models import DetectorConfig
from depthfake.settings import TrainSettings
from depthfake.training.distributed import Processes
from depthfake.training.inputs import DeviceInputs
from depthfake.training.sampling import StepPlan, epoch_batches
from depthfake.training.schedule import LearningRate
from depthfake.training.state import (
    fingerprint,
    load_state,
    restore_rng_states,
    rng_states,
    save_state,
)

log = logging.getLogger(__name__)


class TrainingDivergedError(RuntimeError):
    """No epoch gave a finite validation loss: there is no model to keep."""


def make_optimizer(model: nn.Module, settings: TrainSettings) -> torch.optim.Optimizer:
    """The optimizer `settings.optimizer` names (Adam, the paper's, or SGD with momentum)."""
    common = dict(lr=settings.lr, weight_decay=settings.weight_decay)
    if settings.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), momentum=settings.momentum, **common)
    return torch.optim.Adam(model.parameters(), **common)


def selection_score(settings: TrainSettings, entry: dict) -> tuple[float, ...]:
    """Higher is better: minus the validation loss, or the validation AUC then minus loss."""
    if settings.selection == "val_auc":
        return (entry["val_auc"], -entry["val_loss"])
    return (-entry["val_loss"],)


def cpu_state(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


class Trainer:
    """One detector's model, optimizer, schedule and weight average on this process."""

    def __init__(self, model: nn.Module, config: DetectorConfig, settings: TrainSettings,
                 train: FaceBatches, *, seed: int, workers: int):
        device = resolve_device(settings.device, "train.device")
        self.processes = Processes.start(device.type)
        self.inputs = DeviceInputs(config, self.processes.device(device))
        self.plan = StepPlan.of(settings.batch_size, settings.effective_batch,
                                self.processes.count)
        self.settings, self.train, self.seed, self.workers = settings, train, seed, workers
        self.model = model.to(self.inputs.device, memory_format=self.inputs.memory_format)
        self.optimizer = make_optimizer(self.model, settings)
        self.steps_per_epoch = len(train) // self.plan.effective_batch
        self.schedule = LearningRate(self.optimizer, settings, self.steps_per_epoch)
        self.ema = ModelEmaV3(self.model, decay=settings.ema_decay) if settings.ema_decay else None
        self.forward = self.model
        if self.processes.count > 1:
            torch.manual_seed(seed + self.processes.rank)  # own dropout draws per process
            device_ids = [self.inputs.device.index] if self.inputs.device.type == "cuda" else None
            self.forward = DistributedDataParallel(self.model, device_ids=device_ids)

    @property
    def precision(self) -> str:
        """The precision training runs at (bf16 only on CUDA)."""
        return "bf16" if self.inputs.device.type == "cuda" and (
            self.settings.precision == "bf16") else "fp32"

    @property
    def evaluated(self) -> nn.Module:
        """The weights validated, selected and saved: the average when there is one."""
        return self.ema.module if self.ema else self.model

    def state(self) -> dict:
        """Everything a resumed run needs; every process calls it (RNG states are per process)."""
        return {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "schedule": self.schedule.state_dict(),
                "ema": self.ema.module.state_dict() if self.ema else {},
                "rng": self.processes.gather(rng_states())}

    def restore(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.schedule.load_state_dict(state["schedule"])
        if self.ema:
            self.ema.module.load_state_dict(state["ema"])
        restore_rng_states(state["rng"][self.processes.rank])

    def train_epoch(self, epoch: int) -> dict:
        """One pass; returns the mean training loss, the largest gradient norm and speed."""
        batches = epoch_batches(self.train.labels, self.plan, self.processes.rank, self.seed,
                                epoch, balanced=self.settings.balanced_sampling,
                                flip_probability=self.settings.flip_probability)
        accumulation, device = self.plan.accumulation, self.inputs.device
        loss_sum = torch.zeros((), device=device)
        norm_max = torch.zeros((), device=device)
        step = epoch * self.steps_per_epoch
        self.forward.train()
        start = time.perf_counter()
        loader = batch_loader(self.train, batches.positions, self.workers, device)
        bar = tqdm(loader, total=len(batches.positions), desc=f"epoch {epoch}", unit="batch",
                   disable=not self.processes.is_main, mininterval=2.0, leave=False)
        for i, batch in enumerate(bar):
            steps_now = (i + 1) % accumulation == 0
            rgb, depth, label = self.inputs(batch, torch.from_numpy(batches.flips[i]))
            sync = (self.forward.no_sync() if self.processes.count > 1 and not steps_now
                    else contextlib.nullcontext())
            with sync:
                with autocast(device, self.precision):
                    logits = self.forward(rgb, depth)
                loss = nn.functional.cross_entropy(logits.float(), label)
                (loss / accumulation).backward()
            loss_sum += loss.detach() * len(label)
            if not steps_now:
                continue
            self.schedule.apply(step)
            norm = nn.utils.clip_grad_norm_(self.model.parameters(),
                                            self.settings.clip_grad_norm or math.inf)
            norm_max = torch.maximum(norm_max, norm.detach())
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
            if self.ema:
                self.ema.update(self.model, step)
            step += 1
            if step % 10 == 0:
                bar.set_postfix(loss=f"{loss_sum.item() / ((i + 1) * len(label)):.4f}")
        seconds = time.perf_counter() - start
        for module in (self.model, *([self.ema.module] if self.ema else [])):
            self.processes.broadcast_buffers(module)  # validate and save one model
        sums = self.processes.gather((loss_sum.item(), norm_max.item()))
        images = len(batches.positions) * self.plan.batch_size * self.processes.count
        return {"train_loss": sum(s[0] for s in sums) / images,
                "grad_norm_max": max(s[1] for s in sums), "lr": self.schedule.at(step - 1),
                "seconds": round(seconds, 3), "images_per_s": round(images / seconds, 1)}

    def validate(self, val: FaceBatches) -> dict:
        probs, labels, loss, _ = predict(self.evaluated, val, self.inputs, self.precision,
                                         batch_size=2 * self.settings.batch_size,
                                         workers=self.workers, processes=self.processes)
        finite = math.isfinite(loss) and bool(np.isfinite(probs).all())
        metrics = (binary_metrics(labels, probs) if finite  # else diverged: no metric applies
                   else {"accuracy": math.nan, "auc": math.nan})
        return {"val_loss": loss, **{f"val_{k}": v for k, v in metrics.items()}}


def fit(model: nn.Module, config: DetectorConfig, train: FaceBatches, val: FaceBatches,
        settings: TrainSettings, *, seed: int, state_file: Path | None = None,
        workers: int = 0, identity: object = None) -> tuple[nn.Module, dict]:
    """Train for `settings.epochs` and return the selected epoch's weights (chosen on the
    validation set: never a test-set choice) and the record: per-epoch history, selection.

    After every epoch the whole state is saved to `state_file`; a rerun with the same
    settings, model config, `seed`, `identity` (cell, preprocessing, backbone options) and
    faces resumes after the last saved epoch and ends with the same weights as a run never
    stopped.
    """
    trainer = Trainer(model, config, settings, train, seed=seed, workers=workers)
    key = fingerprint(settings.model_dump(), config.to_dict(), seed, identity,
                      trainer.processes.count, train.digest(), val.digest())
    saved = load_state(state_file, key)
    history, best, best_state = [], None, None
    if saved:
        trainer.restore(saved)
        history, best, best_state = saved["history"], saved["best"], saved["best_state"] or None
    log.info("%d faces per optimizer step (%d per forward x %d accumulated x %d processes), "
             "%d steps per epoch, on %s", trainer.plan.effective_batch, settings.batch_size,
             trainer.plan.accumulation, trainer.processes.count, trainer.steps_per_epoch,
             trainer.inputs.device)
    for epoch in range(len(history), settings.epochs):
        entry = {"epoch": epoch, **trainer.train_epoch(epoch), **trainer.validate(val)}
        trainer.schedule.end_epoch(entry["val_loss"])
        history.append(entry)
        log.info("epoch %d: train loss %.4f, val loss %.4f, val acc %.3f, val AUC %.3f, "
                 "%.0f img/s", epoch, entry["train_loss"], entry["val_loss"],
                 entry["val_accuracy"], entry["val_auc"], entry["images_per_s"])
        finite = math.isfinite(entry["val_loss"])
        if finite and (best is None or selection_score(settings, entry) > selection_score(
                settings, history[best])):
            best, best_state = epoch, cpu_state(trainer.evaluated)
        state = trainer.state() if state_file is not None else None
        if state is not None and trainer.processes.is_main:
            save_state(state_file, {"fingerprint": key, "epoch": epoch + 1, "history": history,
                                    "best": best, "best_state": best_state or {}, **state})
    trainer.processes.stop()
    if best_state is None:
        raise TrainingDivergedError(
            f"the validation loss was not finite in any of {settings.epochs} epochs "
            f"({[h['val_loss'] for h in history]}): training diverged; lower train.lr")
    model = trainer.model.cpu()
    model.load_state_dict(best_state)
    return model, {"history": history, "selected_epoch": best, "precision": trainer.precision,
                   "selection": {"val_loss": "lowest validation loss",
                                 "val_auc": "highest validation AUC"}[settings.selection],
                   "step": {"effective_batch": trainer.plan.effective_batch,
                            "accumulation": trainer.plan.accumulation,
                            "processes": trainer.processes.count}}
