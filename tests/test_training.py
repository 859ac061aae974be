"""Training keeps the epoch with the lowest validation loss; optimizers by name."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import Dataset

from depthfake.models import DetectorConfig, create_detector
from depthfake.settings import TrainSettings
from depthfake.training import TrainingDivergedError, fit, make_optimizer, predict


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
    model, record = fit(model, Separable(128, seed=0), val, settings, seed=0)
    losses = [h["val_loss"] for h in record["history"]]
    assert record["selected_epoch"] == losses.index(min(losses))
    _, _, loss = predict(model, val)
    assert loss == pytest.approx(min(losses), rel=1e-5)  # the kept weights are that epoch's
    if optimizer == "sgd":
        assert min(losses) < 0.69  # it learned something beyond chance


def test_optimizers_by_name_with_their_settings():
    model = torch.nn.Linear(2, 2)
    sgd = make_optimizer(model, TrainSettings(optimizer="sgd", momentum=0.8, lr=0.1))
    assert isinstance(sgd, torch.optim.SGD) and sgd.defaults["momentum"] == 0.8
    adam = make_optimizer(model, TrainSettings(weight_decay=1e-3))
    assert isinstance(adam, torch.optim.Adam) and adam.defaults["weight_decay"] == 1e-3


def test_a_run_without_a_finite_validation_loss_is_one_clear_error():
    class Broken(Separable):
        def __getitem__(self, i: int):
            rgb, depth, label = super().__getitem__(i)
            return rgb * float("nan"), depth, label

    model = create_detector(DetectorConfig(detector="rgb", backbone="mobilenetv2_050",
                                           input_size=32))
    with pytest.raises(TrainingDivergedError, match="not finite in any of 2 epochs"):
        fit(model, Separable(32, seed=0), Broken(16, seed=1),
            TrainSettings(epochs=2, batch_size=16), seed=0)
