"""The train step as users run it: killed and resumed, and split over two processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from depthfake.datasets.loader import FaceBatches, load_face_index
from depthfake.evaluation.predict import predict
from depthfake.models import load_detector
from depthfake.storage.files import read_json
from depthfake.synthetic.faces import write_synthetic_shards
from depthfake.training.inputs import DeviceInputs

from conftest import REPO

STEP = REPO / "pipeline_steps" / "train.py"
BUFFERS = ("running_mean", "running_var", "num_batches_tracked")


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> dict:
    return write_synthetic_shards(tmp_path_factory.mktemp("faces"), 32,
                                  {"train": 512, "val": 64})


def command(shards: dict, out: Path, *extra: str) -> list[str]:
    return [
        "--index", *map(str, shards["index"]), "--faces", *map(str, shards["faces"]),
        "--depth", *map(str, shards["depth"]), "--detector", "mdn",
        "--backbone", "test_efficientnet", "--seed", "3", "--no-pretrained",
        "--optimizer", "sgd", "--lr", "0.05", "--batch-size", "16", "--warmup-epochs", "0.5",
        "--ema-decay", "0.9", "--clip-grad-norm", "5", "--threads", "1", "--dataset", "synth",
        "--forgery", "FaceSwap", "--compression", "raw", "--depth-backend", "dome",
        "--out-weights", str(out / "model.safetensors"), "--out-meta", str(out / "model.json"),
        "--state", str(out / "state.pt"), "--log-file", str(out / "model.log"), *extra]


def run(args: list[str], launcher: list[str] | None = None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO / "pipeline_steps"), OMP_NUM_THREADS="1")
    return subprocess.Popen([*(launcher or [sys.executable]), str(STEP), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finished(process: subprocess.Popen) -> None:
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output[-3000:]


def without_timing(history: list[dict]) -> list[dict]:
    return [{k: v for k, v in h.items() if k not in ("seconds", "images_per_s")}
            for h in history]


def test_a_run_killed_in_its_second_epoch_resumes_to_bitwise_the_same_weights(shards,
                                                                              tmp_path):
    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    settings = ["--epochs", "3", "--effective-batch", "32"]
    finished(run(command(shards, whole, *settings)))
    assert not (whole / "state.pt").exists()  # removed once the outputs are written

    process = run(command(shards, resumed, *settings))
    deadline = time.monotonic() + 120
    while not (resumed / "state.pt").exists() and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = torch.load(resumed / "state.pt", weights_only=True)
    assert state["epoch"] == 1 and not (resumed / "model.safetensors").exists()
    finished(run(command(shards, resumed, *settings)))

    expected, actual = (load_file(d / "model.safetensors") for d in (whole, resumed))
    assert expected.keys() == actual.keys()
    assert all(torch.equal(expected[k], actual[k]) for k in expected)
    assert (without_timing(read_json(whole / "model.json")["history"])
            == without_timing(read_json(resumed / "model.json")["history"]))


def test_two_gloo_processes_equal_one_process_accumulating_two_micro_batches(shards,
                                                                            tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    settings = ["--epochs", "1", "--effective-batch", "32", "--ema-decay", "null"]
    accumulating = run(command(shards, one, *settings))
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                "--nproc-per-node", "2"]
    distributed = run(command(shards, two, *settings), launcher=torchrun)
    finished(accumulating)
    finished(distributed)
    records = [read_json(d / "model.json") for d in (one, two)]
    assert [r["step"] for r in records] == [
        {"effective_batch": 32, "accumulation": 2, "processes": 1},
        {"effective_batch": 32, "accumulation": 1, "processes": 2}]
    assert records[0]["history"][0]["train_loss"] == pytest.approx(
        records[1]["history"][0]["train_loss"], rel=1e-5)
    expected, actual = (load_file(d / "model.safetensors") for d in (one, two))
    parameters = [k for k in expected if not k.endswith(BUFFERS)]
    for key in parameters:  # summation order differs: equal up to rounding
        torch.testing.assert_close(actual[key], expected[key], rtol=1e-4, atol=1e-5)
    index = load_face_index(shards["index"], shards["faces"], shards["depth"])
    val = FaceBatches(index[index["split"] == "val"], 32, with_depth=True)
    for folder, record in zip((one, two), records, strict=True):  # the validated model is
        model, config = load_detector(folder / "model.safetensors", folder / "model.json")
        loss = predict(model, val, DeviceInputs(config, torch.device("cpu"))).loss
        assert loss == pytest.approx(record["history"][0]["val_loss"], rel=1e-5)  # the saved
    assert (two / "model.log.rank1").exists() and (two / "model.log").exists()
