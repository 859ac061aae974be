"""Stage 6: predict the test faces of one trained detector, clean and under every attack.

Attacks act on the crops in pixel space before normalisation, identically for every model
(draws keyed by sample and condition), and the attacked crop is rounded to uint8. The depth
input of a depth-reading model is one of: recompute (re-estimated from the attacked crop by
the depth backend the model was trained with, landmarks re-fitted), perturb (the paper's: the
attack applied to the stored map) or zero (zeros: the control); a model that reads no depth
is evaluated once (none). A depth-reading model's clean faces are predicted on their stored
maps (`estimated`, what perturb gives them clean) and, under recompute, again with depth
re-estimated from the clean crop, landmarks re-fitted there: recompute's clean reference, so
that its drop to an attack holds the attack alone. Writes one row per (depth input, condition,
face): the fake-class
probability, whether the face's depth fell back, and the test faces' own compression
(`test_compression`; `compression` is the cell's, trained at), with the provenance in the
file's metadata.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from depthfake.evaluation.evaluate_detector import evaluate_detector_on_shards
from depthfake.jobs._runtime import (
    add_checkpoint_inputs,
    add_shard_inputs,
    limit_threads,
    setup_logging,
    step_parser,
)
from depthfake.settings import DepthInput, EvaluateSettings, add_arguments, from_args


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    add_shard_inputs(parser)
    add_checkpoint_inputs(parser)
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
    evaluate_detector_on_shards(
        index_files=args.index, faces_files=args.faces, depth_files=args.depth,
        weights=args.weights, meta=args.meta, settings=from_args(EvaluateSettings, args),
        depth_inputs=args.depth_inputs, test_dataset=args.test_dataset, out=args.out,
        workers=args.workers)


if __name__ == "__main__":
    main()
