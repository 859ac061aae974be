"""Predict the validation faces of one trained detector, clean: what its bundle's decision
threshold is chosen on (a depth-reading model reads its stored maps, as `estimated` in
evaluation). Writes one row per face: the fake-class probability, with the provenance in the
file's metadata.
"""

from __future__ import annotations

from pathlib import Path

from depthfake.datasets.loader import load_face_index
from depthfake.evaluation.evaluate_detector import predict_validation
from depthfake.jobs._runtime import (
    add_checkpoint_inputs,
    add_shard_inputs,
    limit_threads,
    setup_logging,
    step_parser,
)
from depthfake.settings import Device


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    add_shard_inputs(parser)
    add_checkpoint_inputs(parser)
    parser.add_argument("--device", default="auto", choices=Device.__args__)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="loader processes")
    parser.add_argument("--out", type=Path, required=True, help="Parquet of predictions")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    limit_threads(args.threads)
    predict_validation(load_face_index(args.index, args.faces, args.depth), args.weights,
                       args.meta, device=args.device, out=args.out, workers=args.workers)


if __name__ == "__main__":
    main()
