"""Command-line options of the step scripts that read face shards (train, evaluate)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from depthfake.data import load_face_index


def add_shard_arguments(parser: argparse.ArgumentParser) -> None:
    """--index/--faces/--depth: aligned lists of per-shard frame indices, crops and depth."""
    parser.add_argument("--index", type=Path, nargs="+", required=True,
                        help="Parquet frame indices from crop_faces")
    parser.add_argument("--faces", type=Path, nargs="+", required=True,
                        help="crop HDF5 files, in the order of --index")
    parser.add_argument("--depth", type=Path, nargs="+",
                        help="depth HDF5 files, in the order of --index (models using depth)")


def face_index_from_args(args: argparse.Namespace) -> pd.DataFrame:
    return load_face_index(args.index, args.faces, args.depth)
