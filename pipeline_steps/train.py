"""Stage 5: train one detector (one cell of the grid) on face crops and depth maps.

Keeps the epoch chosen on the validation set and saves it as safetensors, with a JSON
holding the model config, the preprocessing its inputs were made with, the cell, the settings,
the per-epoch history and the provenance. The training state is saved to --state after every
epoch: a killed job, rerun, resumes there. Under torchrun each process trains on its share of
every step (DistributedDataParallel); the first writes the outputs.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import torch

from depthfake.catalogue import DETECTORS
from depthfake.data import FaceBatches, load_face_index
from depthfake.h5store import shared_settings
from depthfake.models import DetectorConfig, create_detector, save_detector
from depthfake.settings import BackboneOptions, TrainSettings, add_arguments, from_args
from depthfake.steps import add_shard_inputs, limit_threads, setup_logging, step_parser
from depthfake.training.distributed import launch_rank
from depthfake.training.loop import fit

log = logging.getLogger(__name__)


def split_rows(index: pd.DataFrame, split: str) -> pd.DataFrame:
    """The faces of one split; both classes must be there."""
    rows = index[index["split"] == split]
    if rows.empty or rows["label"].nunique() < 2:
        raise ValueError(f"the {split} split needs faces of both classes; it has "
                         f"{rows['label'].value_counts().to_dict()}")
    return rows


def train(index: pd.DataFrame, preprocessing: dict, detector: str, backbone: str,
          options: BackboneOptions, settings: TrainSettings, seed: int, cell: dict,
          out_weights: Path, out_meta: Path, state_file: Path | None = None,
          workers: int = 0) -> dict:
    """Train and save one detector; returns the training record saved with it."""
    config = DetectorConfig(detector=detector, backbone=backbone,
                            input_size=preprocessing["faces"]["crop_size"],
                            split_block=options.split_block)
    torch.manual_seed(seed)  # initialisation (and dropout) draws
    model = create_detector(config, pretrained=settings.pretrained,
                            pretrained_file=options.pretrained_file)
    datasets = {split: FaceBatches(split_rows(index, split), config.input_size,
                                   config.reads_depth) for split in ("train", "val")}
    log.info("%s: %d train and %d val faces", cell, len(datasets["train"]), len(datasets["val"]))
    model, record = fit(model, config, datasets["train"], datasets["val"], settings, seed,
                        state_file, workers, identity=[cell, preprocessing, options.model_dump()])
    record.update(cell=cell, preprocessing=preprocessing, settings=settings.model_dump(),
                  backbone_options=options.model_dump(), seed=seed,
                  faces={s: len(d) for s, d in datasets.items()})
    if launch_rank() == 0:
        save_detector(model, config, out_weights, out_meta, record)
        if state_file is not None:
            state_file.unlink(missing_ok=True)
    return record


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
    cell = dict(dataset=args.dataset, compression=args.compression, forgery=args.forgery,
                model=args.detector, backbone=args.backbone, depth=args.depth_backend,
                seed=args.seed)
    preprocessing = shared_settings(args.depth or args.faces)
    train(load_face_index(args.index, args.faces, args.depth), preprocessing, args.detector,
          args.backbone, from_args(BackboneOptions, args), from_args(TrainSettings, args),
          args.seed, cell, args.out_weights, args.out_meta, args.state, args.workers)


if __name__ == "__main__":
    main()
