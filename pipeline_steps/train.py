"""Stage 5: train one detector (one cell of the grid) on face crops and depth maps.

Selects the epoch with the lowest validation loss and saves it as safetensors, with a
JSON holding the model config, its preprocessing, the cell and the training history.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import torch

from depthfake.cli import add_shard_arguments, face_index_from_args
from depthfake.data import FaceDepthDataset
from depthfake.models import DetectorConfig, create_detector, save_detector
from depthfake.steps import limit_threads, setup_logging, step_parser
from depthfake.training import OPTIMIZERS, TrainSettings, fit

log = logging.getLogger(__name__)


def split_rows(index: pd.DataFrame, split: str) -> pd.DataFrame:
    """The faces of one split; both classes must be there."""
    rows = index[index["split"] == split]
    if rows.empty or rows["label"].nunique() < 2:
        raise ValueError(f"the {split} split needs faces of both classes; it has "
                         f"{rows['label'].value_counts().to_dict()}")
    return rows


def train(index: pd.DataFrame, config: DetectorConfig, settings: TrainSettings, pretrained: bool,
          pretrained_file: str | None, cell: dict, out_weights: Path, out_meta: Path) -> dict:
    """Train and save one detector; returns the training record saved with it."""
    torch.manual_seed(settings.seed)  # initialisation and augmentation draws
    model = create_detector(config, pretrained=pretrained, pretrained_file=pretrained_file)
    datasets = {split: FaceDepthDataset(split_rows(index, split), config,
                                        with_depth=model.uses_depth, flip=split == "train")
                for split in ("train", "val")}
    log.info("%s: %d train and %d val faces", cell, len(datasets["train"]), len(datasets["val"]))
    model, record = fit(model, datasets["train"], datasets["val"], settings)
    record.update(cell=cell, settings=vars(settings), pretrained=pretrained,
                  pretrained_file=pretrained_file,
                  faces={s: len(d) for s, d in datasets.items()})
    save_detector(model, config, out_weights, out_meta, record)
    return record


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    add_shard_arguments(parser)
    parser.add_argument("--detector", required=True, help="registered detector (rgb, mdn)")
    parser.add_argument("--backbone", default="mobilenetv2_050", help="timm model name")
    parser.add_argument("--split-block", type=int, default=4, help="MDN split: blocks[:k]")
    parser.add_argument("--input-size", type=int, required=True, help="crop side")
    parser.add_argument("--pretrained", action="store_true", help="ImageNet weights (timm hub)")
    parser.add_argument("--pretrained-file", help="local pretrained weights file")
    for name, default in vars(TrainSettings()).items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(default), default=default,
                            choices=list(OPTIMIZERS) if name == "optimizer" else None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--forgery", required=True, help="cell label: forgery kind or ALL")
    parser.add_argument("--compression", required=True, help="cell label: compression")
    parser.add_argument("--out-weights", type=Path, required=True, help=".safetensors")
    parser.add_argument("--out-meta", type=Path, required=True, help=".json")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    limit_threads(args.threads)
    config = DetectorConfig(detector=args.detector, backbone=args.backbone,
                            input_size=args.input_size, split_block=args.split_block)
    settings = TrainSettings(**{k: getattr(args, k) for k in vars(TrainSettings())})
    cell = dict(model=args.detector, forgery=args.forgery, compression=args.compression)
    train(face_index_from_args(args), config, settings, args.pretrained, args.pretrained_file,
          cell, args.out_weights, args.out_meta)


if __name__ == "__main__":
    main()
