"""Training: the epoch kept is chosen on validation data; the order of an epoch, the step
plan and the learning rate; stable learning on separable synthetic faces. Evaluation: its rows
name the test faces' own compression."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from depthfake.datasets.loader import FaceBatches, load_face_index
from depthfake.evaluation.evaluate_detector import evaluate_detector
from depthfake.evaluation.predict import predict
from depthfake.models import DetectorConfig, create_detector
from depthfake.settings import BackboneOptions, EvaluateSettings, TrainSettings
from depthfake.synthetic.faces import write_synthetic_shards
from depthfake.training.inputs import DeviceInputs
from depthfake.training.loop import TrainingDivergedError, fit, make_optimizer
from depthfake.training.sampling import StepPlan, epoch_batches, epoch_order
from depthfake.training.schedule import LearningRate
from depthfake.training.train_detector import train_detector

SIZE = 32
CONFIG = DetectorConfig(detector="mdn", backbone="test_efficientnet", input_size=SIZE)


@pytest.fixture(scope="module")
def faces(tmp_path_factory) -> dict[str, FaceBatches]:
    files = write_synthetic_shards(tmp_path_factory.mktemp("faces"), SIZE,
                                   {"train": 256, "val": 64})
    index = load_face_index(files["index"], files["faces"], files["depth"])
    return {split: FaceBatches(index[index["split"] == split], SIZE, with_depth=True)
            for split in ("train", "val")}


def train(faces: dict, **settings) -> tuple[torch.nn.Module, dict]:
    torch.manual_seed(0)
    return fit(create_detector(CONFIG), CONFIG, faces["train"], faces["val"],
               TrainSettings(**{"batch_size": 16, "effective_batch": None, **settings}), seed=0)


def test_the_kept_epoch_has_the_lowest_validation_loss(faces):
    model, record = train(faces, epochs=4, optimizer="sgd", lr=0.05)
    losses = [h["val_loss"] for h in record["history"]]
    assert record["selected_epoch"] == losses.index(min(losses))
    loss = predict(model, faces["val"], DeviceInputs(CONFIG, torch.device("cpu"))).loss
    assert loss == pytest.approx(min(losses), rel=1e-5)  # the kept weights are that epoch's


def test_separable_faces_reach_a_low_validation_loss_without_spikes(faces):
    """The demo's recipe (SGD, warmup, cosine, clipping, weight average) on faces a detector
    can separate: the validation loss falls and never jumps above chance."""
    _, record = train(faces, epochs=6, optimizer="sgd", lr=0.05, warmup_epochs=1,
                      schedule="cosine", clip_grad_norm=2.0, ema_decay=0.9)
    losses = [h["val_loss"] for h in record["history"]]
    assert min(losses) < 0.2 and record["history"][-1]["val_auc"] > 0.99
    assert max(losses) < 0.75, losses  # chance is ln 2 = 0.69
    assert max(h["grad_norm_max"] for h in record["history"]) > 0  # recorded per epoch


def test_selection_on_validation_auc_breaks_ties_on_the_loss(faces):
    _, record = train(faces, epochs=3, optimizer="sgd", lr=0.05, selection="val_auc")
    history = record["history"]
    best = max(range(3), key=lambda e: (history[e]["val_auc"], -history[e]["val_loss"]))
    assert record["selected_epoch"] == best and record["selection"] == "highest validation AUC"


def test_a_run_without_a_finite_validation_loss_is_one_clear_error(faces):
    with pytest.raises(TrainingDivergedError, match="not finite in any of 2 epochs"):
        train(faces, epochs=2, optimizer="sgd", lr=1e30)


def test_optimizers_by_name_with_their_settings():
    model = torch.nn.Linear(2, 2)
    sgd = make_optimizer(model, TrainSettings(optimizer="sgd", momentum=0.8, lr=0.1))
    assert isinstance(sgd, torch.optim.SGD) and sgd.defaults["momentum"] == 0.8
    adam = make_optimizer(model, TrainSettings(weight_decay=1e-3))
    assert isinstance(adam, torch.optim.Adam) and adam.defaults["weight_decay"] == 1e-3


def test_an_epoch_order_depends_on_seed_and_epoch_only():
    labels = np.arange(100) % 2
    first, flips = epoch_order(labels, seed=1, epoch=3, balanced=False, flip_probability=0.5)
    again, flips_again = epoch_order(labels, seed=1, epoch=3, balanced=False,
                                     flip_probability=0.5)
    assert np.array_equal(first, again) and np.array_equal(flips, flips_again)
    assert sorted(first) == list(range(100)) and 30 < flips.sum() < 70
    assert not np.array_equal(first, epoch_order(labels, 1, 4, False, 0.5)[0])


def test_balanced_sampling_draws_reals_as_often_as_fakes():
    labels = np.array([0] * 200 + [1] * 800)  # 1 real : 4 fakes, as in ALL
    order, _ = epoch_order(labels, seed=0, epoch=0, balanced=True, flip_probability=0.0)
    assert len(order) == 1000 and 0.45 < labels[order].mean() < 0.55


def test_two_processes_share_exactly_the_micro_batches_of_one_accumulating_process():
    labels = np.arange(100) % 2
    one = epoch_batches(labels, StepPlan.of(8, 16, 1), rank=0, seed=0, epoch=0)
    two = [epoch_batches(labels, StepPlan.of(8, 16, 2), rank=r, seed=0, epoch=0)
           for r in (0, 1)]
    assert StepPlan.of(8, 16, 1).accumulation == 2 and StepPlan.of(8, 16, 2).accumulation == 1
    assert len(one.positions) == 12  # 6 full steps of 16; the last 4 faces wait an epoch
    for i, positions in enumerate(one.positions):
        assert np.array_equal(positions, two[i % 2].positions[i // 2])


def test_impossible_step_plans_are_clear_errors():
    with pytest.raises(ValueError, match="effective_batch 20 is not a multiple of"):
        StepPlan.of(8, 20, 1)
    with pytest.raises(ValueError, match="larger than the training set"):
        epoch_batches(np.zeros(10, int), StepPlan.of(8, 16, 1), 0, 0, 0)


def test_warmup_then_cosine_then_plateau_decay():
    optimizer = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=1.0)
    cosine = LearningRate(optimizer, TrainSettings(lr=0.1, epochs=10, warmup_epochs=1,
                                                   schedule="cosine"), steps_per_epoch=10)
    assert cosine.at(0) == pytest.approx(0.01) and cosine.at(9) == pytest.approx(0.1)
    assert cosine.at(55) == pytest.approx(0.05) and cosine.at(99) == pytest.approx(0, abs=1e-4)
    plateau = LearningRate(optimizer, TrainSettings(lr=0.1, scheduler_patience=1,
                                                    scheduler_factor=0.5), steps_per_epoch=10)
    for loss in (1.0, 0.9, 0.95, 0.95):
        plateau.end_epoch(loss)
    assert plateau.at(50) == pytest.approx(0.05)  # two epochs without a lower loss > 1
    plateau.apply(50)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.05)
    assert not math.isinf(plateau.state_dict()["best_loss"])


def test_plateau_defaults_follow_torch():
    """The default plateau schedule is the paper code's ReduceLROnPlateau(optimizer, "min"):
    the same learning rate after every epoch of a loss curve that stalls, improves by less
    than the threshold and stalls again."""
    losses = [1.0, 0.8, *[0.8] * 12, 0.79995, *[0.81] * 11, 0.5, *[0.6] * 25]
    ours_optimizer = torch.optim.Adam(torch.nn.Linear(1, 1).parameters(), lr=1e-4)
    torch_optimizer = torch.optim.Adam(torch.nn.Linear(1, 1).parameters(), lr=1e-4)
    ours = LearningRate(ours_optimizer, TrainSettings(), steps_per_epoch=1)
    reference = torch.optim.lr_scheduler.ReduceLROnPlateau(torch_optimizer, "min")
    rates = []
    for epoch, loss in enumerate(losses):
        ours.end_epoch(loss)
        reference.step(loss)
        rates.append(ours.at(epoch + 1))
        assert rates[-1] == pytest.approx(torch_optimizer.param_groups[0]["lr"], rel=1e-12)
    assert sorted(set(rates), reverse=True) == pytest.approx([1e-4, 1e-5, 1e-6, 1e-7, 1e-8])


def test_evaluated_rows_carry_the_test_faces_own_compression(tmp_path):
    files = write_synthetic_shards(tmp_path, SIZE, {"train": 32, "val": 16, "test": 16})
    index = load_face_index(files["index"], files["faces"])
    cell = dict(dataset="synthetic", compression="c40", forgery="FaceSwap", model="rgb",
                backbone="test_efficientnet", depth="none", seed=0)
    weights, meta = tmp_path / "rgb.safetensors", tmp_path / "rgb.json"
    train_detector(index, {"faces": {"crop_size": SIZE}}, detector="rgb",
                   backbone="test_efficientnet", options=BackboneOptions(),
                   settings=TrainSettings(epochs=1, batch_size=8, effective_batch=None,
                                          pretrained=False, device="cpu"),
                   seed=0, cell=cell, out_weights=weights, out_meta=meta)
    one_quality = index.assign(compression="none")  # as Celeb-DF's faces are
    predictions = evaluate_detector(one_quality, weights, meta, settings=EvaluateSettings(),
                                    depth_inputs=["none"], test_dataset="celebdf",
                                    out=tmp_path / "predictions.parquet")
    assert len(predictions) > 0 and set(predictions["test_dataset"]) == {"celebdf"}
    assert set(predictions["compression"]) == {"c40"}  # the cell's, trained at
    assert set(predictions["test_compression"]) == {"none"}
