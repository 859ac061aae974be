"""Stage 6: predict the test faces of one trained detector, clean and under each attack.

Attacks act on the [0, 1] crops before normalisation, identically for every model (draws
seeded per sample); depth is attacked in the paper's `perturb` mode. Writes one row per
(condition, face) with the fake-class probability.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from depthfake.attacks import (
    CONDITIONS,
    DEPTH_MODES,
    AttackParams,
    add_attack_arguments,
    attack_params_from_args,
)
from depthfake.cli import add_shard_arguments, face_index_from_args
from depthfake.data import FaceDepthDataset
from depthfake.models import load_detector
from depthfake.steps import atomic_output, limit_threads, setup_logging, step_parser
from depthfake.training import predict

log = logging.getLogger(__name__)


def evaluate(index: pd.DataFrame, weights: Path, meta: Path, params: AttackParams, seed: int,
             depth_mode: str, out: Path) -> pd.DataFrame:
    """Predict every test face under every condition; returns (and writes) the predictions."""
    model, config = load_detector(weights, meta)
    cell = json.loads(Path(meta).read_text())["cell"]
    test = index[index["split"] == "test"].reset_index(drop=True)
    if test.empty:
        raise ValueError("no test faces: every test video was skipped or has no face")
    tables = []
    for condition in CONDITIONS:
        dataset = FaceDepthDataset(test, config, condition, params, seed,
                                   with_depth=model.uses_depth)
        probs, labels, _ = predict(model, dataset)
        accuracy = ((probs >= 0.5) == labels).mean()
        log.info("%s %s: accuracy %.3f on %d faces", cell, condition, accuracy, len(labels))
        tables.append(test[["video", "kind", "frame", "label"]].assign(
            condition=condition, prob_fake=probs))
    predictions = pd.concat(tables, ignore_index=True).assign(**cell, depth_mode=depth_mode)
    with atomic_output(out) as tmp:
        predictions.to_parquet(tmp, index=False)
    return predictions


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    add_shard_arguments(parser)
    parser.add_argument("--weights", type=Path, required=True, help=".safetensors from train")
    parser.add_argument("--meta", type=Path, required=True, help=".json from train")
    add_attack_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="seed of the attack draws")
    parser.add_argument("--depth-mode", choices=DEPTH_MODES, default="perturb",
                        help="perturb: the attack is applied to the stored depth map")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="Parquet of predictions")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    limit_threads(args.threads)
    evaluate(face_index_from_args(args), args.weights, args.meta, attack_params_from_args(args),
             args.seed, args.depth_mode, args.out)


if __name__ == "__main__":
    main()
