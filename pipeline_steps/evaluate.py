"""Stage 6: predict the test faces of one trained detector, clean and under every attack.

Attacks act on the crops in pixel space before normalisation, identically for every model
(draws keyed by sample and condition), and the attacked crop is rounded to uint8. The depth
input of a depth-reading model is one of: recompute (re-estimated from the attacked crop by
the depth backend the model was trained with, landmarks re-fitted), perturb (the paper's: the
attack applied to the stored map) or zero (zeros: the control); a model that reads no depth
is evaluated once (none). Writes one row per (depth input, condition, face): the fake-class
probability, whether the face's depth fell back, and the test faces' own compression
(`test_compression`; `compression` is the cell's, trained at), with the provenance in the
file's metadata.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import get_args

import pandas as pd

from depthfake.attacks import conditions
from depthfake.data import FaceBatches, load_face_index
from depthfake.depth.recompute import DepthRecompute
from depthfake.devices import resolve_device
from depthfake.files import write_parquet
from depthfake.models import load_detector, read_checkpoint_meta
from depthfake.settings import (
    NO_DEPTH,
    DepthInput,
    EvaluateSettings,
    FaceSettings,
    add_arguments,
    from_args,
)
from depthfake.steps import add_shard_inputs, limit_threads, setup_logging, step_parser
from depthfake.training.inputs import DeviceInputs
from depthfake.training.predict import predict

log = logging.getLogger(__name__)


def trained_depth(record: dict, device: str) -> DepthRecompute:
    """Depth as the model's training maps were made (backend, options and face settings from
    its checkpoint record), on the evaluation's device."""
    depth = record["preprocessing"]["depth"]
    options = dict(depth["options"])
    if "device" in options:
        options["device"] = device
    return DepthRecompute(depth["backend"], options,
                          FaceSettings.model_validate(record["preprocessing"]["faces"]))


def evaluate(index: pd.DataFrame, weights: Path, meta: Path, settings: EvaluateSettings,
             depth_inputs: list[DepthInput], test_dataset: str, out: Path, workers: int = 0
             ) -> pd.DataFrame:
    """Predict every test face under every condition with each depth input; returns (and
    writes) the predictions."""
    model, config = load_detector(weights, meta)
    if config.reads_depth == (NO_DEPTH in depth_inputs):
        raise ValueError(f"depth inputs {depth_inputs} for a model that "
                         f"{'reads' if config.reads_depth else 'reads no'} depth")
    inputs = DeviceInputs(config, resolve_device(settings.device, "evaluate.device"))
    model = model.to(inputs.device, memory_format=inputs.memory_format)
    record = read_checkpoint_meta(meta)
    cell, precision = record["cell"], record.get("precision", "fp32")  # as trained
    test = index[index["split"] == "test"].reset_index(drop=True)
    if test.empty:
        raise ValueError("no test faces: every test video was skipped or has no face")
    tables = []
    for depth_input in depth_inputs:
        recompute = (trained_depth(record, settings.device) if depth_input == "recompute"
                     else None)
        for condition in conditions(settings.sweeps):
            dataset = FaceBatches(test, config.input_size, config.reads_depth, condition,
                                  settings.attacks, settings.seed, depth_input, recompute)
            result = predict(model, dataset, inputs, precision, workers=workers)
            accuracy = ((result.probs >= 0.5) == result.labels).mean()
            log.info("%s %s, depth %s: accuracy %.3f on %d faces, %d depth fallbacks", cell,
                     condition, depth_input, accuracy, len(test), result.depth_lost.sum())
            faces = test[["video", "kind", "frame", "label", "compression"]].rename(
                columns={"compression": "test_compression"})
            tables.append(faces.assign(condition=condition, depth_input=depth_input,
                                       prob_fake=result.probs, depth_lost=result.depth_lost))
    predictions = pd.concat(tables, ignore_index=True).assign(**cell, test_dataset=test_dataset)
    write_parquet(out, predictions)
    return predictions


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    add_shard_inputs(parser)
    parser.add_argument("--weights", type=Path, required=True, help=".safetensors from train")
    parser.add_argument("--meta", type=Path, required=True, help=".json from train")
    add_arguments(parser, EvaluateSettings)
    parser.add_argument("--depth-inputs", nargs="+", required=True,
                        choices=get_args(DepthInput), help="depth under attack, each in turn: "
                        "none (a model that reads none), recompute, perturb or zero")
    parser.add_argument("--test-dataset", required=True, help="label: the data set tested on")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="loader processes")
    parser.add_argument("--out", type=Path, required=True, help="Parquet of predictions")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    limit_threads(args.threads)
    evaluate(load_face_index(args.index, args.faces, args.depth), args.weights, args.meta,
             from_args(EvaluateSettings, args), args.depth_inputs, args.test_dataset, args.out,
             args.workers)


if __name__ == "__main__":
    main()
