"""Training keeps the epoch with the lowest validation loss; optimizers by name."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import Dataset

from depthfake.models import DetectorConfig, create_detector
from depthfake.training import TrainSettings, fit, make_optimizer, predict


class Separable(Dataset):
    """Noise images; the fake ones carry a bright square in the middle. Zero depth."""

    def __init__(self, count: int, seed: int):
        generator = torch.Generator().manual_seed(seed)
        self.labels = torch.arange(count) % 2
        self.rgb = 0.3 * torch.randn(count, 3, 32, 32, generator=generator)
        self.rgb[self.labels == 1, :, 12:20, 12:20] += 1.0

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int):
        return self.rgb[i], torch.zeros(1, 32, 32), int(self.labels[i])


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_fit_keeps_the_lowest_validation_loss(optimizer):
    torch.manual_seed(0)
    model = create_detector(DetectorConfig(detector="rgb", backbone="mobilenetv2_050",
                                           input_size=32))
    settings = TrainSettings(epochs=8, batch_size=16, lr=1e-2 if optimizer == "sgd" else 1e-3,
                             optimizer=optimizer)
    val = Separable(32, seed=1)
    model, record = fit(model, Separable(128, seed=0), val, settings)
    losses = [h["val_loss"] for h in record["history"]]
    assert record["selected_epoch"] == losses.index(min(losses))
    _, _, loss = predict(model, val)
    assert loss == pytest.approx(min(losses), rel=1e-5)  # the kept weights are that epoch's
    if optimizer == "sgd":
        assert min(losses) < 0.69  # it learned something beyond chance


def test_unknown_optimizer_is_named():
    model = torch.nn.Linear(2, 2)
    with pytest.raises(ValueError, match="unknown optimizer 'lion'"):
        make_optimizer(model, TrainSettings(optimizer="lion"))
    assert isinstance(make_optimizer(model, TrainSettings(optimizer="sgd")), torch.optim.SGD)
