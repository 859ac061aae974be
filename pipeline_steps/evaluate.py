"""Stage 6: predict the test faces of one trained detector, clean and under each attack.

Attacks act on the [0, 1] crops before normalisation, identically for every model (draws
seeded per sample); depth is attacked in the paper's `perturb` mode. Writes one row per
(condition, face) with the fake-class probability, and the provenance in the file's metadata.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from depthfake.attacks import CONDITIONS
from depthfake.data import FaceBatches, load_face_index
from depthfake.devices import resolve_device
from depthfake.files import write_parquet
from depthfake.models import load_detector, read_checkpoint_meta
from depthfake.settings import EvaluateSettings, add_arguments, from_args
from depthfake.steps import add_shard_inputs, limit_threads, setup_logging, step_parser
from depthfake.training.inputs import DeviceInputs
from depthfake.training.predict import predict

log = logging.getLogger(__name__)


def evaluate(index: pd.DataFrame, weights: Path, meta: Path, settings: EvaluateSettings,
             test_dataset: str, out: Path, workers: int = 0) -> pd.DataFrame:
    """Predict every test face under every condition; returns (and writes) the predictions."""
    model, config = load_detector(weights, meta)
    inputs = DeviceInputs(config, resolve_device(settings.device, "evaluate.device"))
    model = model.to(inputs.device, memory_format=inputs.memory_format)
    record = read_checkpoint_meta(meta)
    cell, precision = record["cell"], record.get("precision", "fp32")  # as trained
    test = index[index["split"] == "test"].reset_index(drop=True)
    if test.empty:
        raise ValueError("no test faces: every test video was skipped or has no face")
    tables = []
    for condition in CONDITIONS:
        dataset = FaceBatches(test, config.input_size, config.reads_depth, condition,
                              settings.attacks, settings.seed)
        probs, labels, _ = predict(model, dataset, inputs, precision, workers=workers)
        accuracy = ((probs >= 0.5) == labels).mean()
        log.info("%s %s: accuracy %.3f on %d faces", cell, condition, accuracy, len(labels))
        tables.append(test[["video", "kind", "frame", "label"]].assign(
            condition=condition, prob_fake=probs))
    predictions = pd.concat(tables, ignore_index=True).assign(
        **cell, test_dataset=test_dataset, depth_mode=settings.depth_mode)
    write_parquet(out, predictions)
    return predictions


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    add_shard_inputs(parser)
    parser.add_argument("--weights", type=Path, required=True, help=".safetensors from train")
    parser.add_argument("--meta", type=Path, required=True, help=".json from train")
    add_arguments(parser, EvaluateSettings)
    parser.add_argument("--test-dataset", required=True, help="label: the data set tested on")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="loader processes")
    parser.add_argument("--out", type=Path, required=True, help="Parquet of predictions")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    limit_threads(args.threads)
    evaluate(load_face_index(args.index, args.faces, args.depth), args.weights, args.meta,
             from_args(EvaluateSettings, args), args.test_dataset, args.out, args.workers)


if __name__ == "__main__":
    main()
