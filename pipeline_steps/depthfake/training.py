"""Training with model selection on the validation loss only, and batched prediction."""

from __future__ import annotations

import copy
import logging

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from depthfake.settings import TrainSettings

log = logging.getLogger(__name__)


class TrainingDivergedError(RuntimeError):
    """No epoch gave a finite validation loss: there is no model to keep."""


def make_optimizer(model: nn.Module, settings: TrainSettings) -> torch.optim.Optimizer:
    """The optimizer `settings.optimizer` names (Adam, the paper's, or SGD with momentum)."""
    common = dict(lr=settings.lr, weight_decay=settings.weight_decay)
    if settings.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), momentum=settings.momentum, **common)
    return torch.optim.Adam(model.parameters(), **common)


def predict(model: nn.Module, dataset: Dataset, batch_size: int = 128
            ) -> tuple[np.ndarray, np.ndarray, float]:
    """Fake-class probabilities, labels and mean cross-entropy over a dataset."""
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False)
    probs, labels, loss_sum = [], [], 0.0
    model.eval()
    with torch.inference_mode():
        for rgb, depth, label in loader:
            logits = model(rgb, depth)
            loss_sum += nn.functional.cross_entropy(logits, label, reduction="sum").item()
            probs.append(logits.softmax(dim=1)[:, 1].cpu().numpy())
            labels.append(label.cpu().numpy())
    if not probs:
        return np.zeros(0), np.zeros(0, int), float("nan")
    labels_all = np.concatenate(labels)
    return np.concatenate(probs), labels_all, loss_sum / len(labels_all)


def fit(model: nn.Module, train: Dataset, val: Dataset, settings: TrainSettings, seed: int
        ) -> tuple[nn.Module, dict]:
    """The optimizer + ReduceLROnPlateau on the validation loss; returns the epoch with the lowest
    validation loss (never a test-set choice) and the per-epoch history."""
    loader = DataLoader(train, batch_size=settings.batch_size, shuffle=True, drop_last=False,
                        generator=torch.Generator().manual_seed(seed))
    optimizer = make_optimizer(model, settings)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, factor=settings.scheduler_factor, patience=settings.scheduler_patience)
    history, best_loss, best_state, best_epoch = [], float("inf"), None, -1
    for epoch in range(settings.epochs):
        model.train()
        train_loss, seen = 0.0, 0
        for rgb, depth, label in loader:
            optimizer.zero_grad(set_to_none=True)
            loss = nn.functional.cross_entropy(model(rgb, depth), label)
            loss.backward()
            optimizer.step()
            train_loss += loss.item() * len(label)
            seen += len(label)
        probs, labels, val_loss = predict(model, val)
        val_acc = float(((probs >= 0.5) == labels).mean())
        scheduler.step(val_loss)
        history.append(dict(epoch=epoch, train_loss=train_loss / max(seen, 1), val_loss=val_loss,
                            val_accuracy=val_acc, lr=optimizer.param_groups[0]["lr"]))
        log.info("epoch %d: train loss %.4f, val loss %.4f, val acc %.3f", epoch,
                 history[-1]["train_loss"], val_loss, val_acc)
        if val_loss < best_loss:
            best_loss, best_epoch = val_loss, epoch
            best_state = copy.deepcopy(model.state_dict())
    if best_state is None:
        raise TrainingDivergedError(
            f"the validation loss was not finite in any of {settings.epochs} epochs "
            f"({[h['val_loss'] for h in history]}): training diverged; lower train.lr")
    model.load_state_dict(best_state)
    return model, {"history": history, "selected_epoch": best_epoch,
                   "selection": "lowest validation loss"}
