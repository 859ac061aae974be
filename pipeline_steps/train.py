"""Stage 5: train one detector (one cell of the grid) on face crops and depth maps.

Keeps the epoch chosen on the validation set and saves it as safetensors, with a JSON
holding the model config, the preprocessing its inputs were made with, the cell, the settings,
the per-epoch history and the provenance. The training state is saved to --state after every
epoch: a killed job, rerun, resumes there. Under torchrun each process trains on its share of
every step (DistributedDataParallel); the first writes the outputs.
"""

from __future__ import annotations

from pathlib import Path

from depthfake.jobs._runtime import add_shard_inputs, limit_threads, setup_logging, step_parser
from depthfake.plan.catalogue import DETECTORS
from depthfake.settings import BackboneOptions, TrainSettings, add_arguments, from_args
from depthfake.training.distributed import launch_rank
from depthfake.training.train_detector import train_detector_on_shards


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    add_shard_inputs(parser)
    parser.add_argument("--detector", required=True, choices=DETECTORS.names())
    parser.add_argument("--backbone", required=True, help="timm model name")
    parser.add_argument("--seed", type=int, required=True,
                        help="seed of initialisation and shuffling")
    add_arguments(parser, BackboneOptions)
    add_arguments(parser, TrainSettings)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="loader processes")
    parser.add_argument("--state", type=Path, help="training state, saved every epoch and "
                        "resumed from (removed once the outputs are written)")
    parser.add_argument("--dataset", required=True, help="cell label: data set")
    parser.add_argument("--forgery", required=True, help="cell label: forgery kind or ALL")
    parser.add_argument("--compression", required=True, help="cell label: compression")
    parser.add_argument("--depth-backend", required=True,
                        help="cell label: depth backend of --depth, or none")
    parser.add_argument("--out-weights", type=Path, required=True, help=".safetensors")
    parser.add_argument("--out-meta", type=Path, required=True, help=".json")
    args = parser.parse_args(argv)
    rank = launch_rank()  # under torchrun the other processes log beside the first
    setup_logging(args.log.with_name(f"{args.log.name}.rank{rank}") if args.log and rank
                  else args.log)
    limit_threads(args.threads)
    train_detector_on_shards(
        index_files=args.index, faces_files=args.faces, depth_files=args.depth,
        detector=args.detector, backbone=args.backbone, seed=args.seed,
        options=from_args(BackboneOptions, args), settings=from_args(TrainSettings, args),
        dataset=args.dataset, forgery=args.forgery, compression=args.compression,
        depth_backend=args.depth_backend, out_weights=args.out_weights, out_meta=args.out_meta,
        state_file=args.state, workers=args.workers)


if __name__ == "__main__":
    main()
