"""The FaceForensics++ folder layout and its official pair-format splits.

Reals live at `original_sequences/<real>/<compression>/videos/<id>.mp4`, fakes at
`manipulated_sequences/<method>/<compression>/videos/<target>_<source>.mp4`. A split
file is a JSON list of `[target, source]` pairs; each pair contributes both real ids
and, per method, the fakes `target_source` and `source_target`. Those are one cluster: the
same two people and backgrounds (pairs that share a person join one cluster).
"""

from __future__ import annotations

import json
import os
from importlib.resources import files
from pathlib import Path

from depthfake.datasets.base import SPLITS, Video, linked_people
from depthfake.settings import NO_COMPRESSION, REAL_KIND, DatasetSource

OFFICIAL_SPLITS_DIR = Path(str(files("depthfake") / "assets" / "ffpp_splits"))


def read_split_pairs(path: str | os.PathLike) -> list[tuple[str, str]]:
    """Read one FF++ split file: a JSON list of `[target, source]` id pairs."""
    try:
        pairs = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: not a readable JSON split file ({err})") from None
    if not isinstance(pairs, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(i, str) for i in p) for p in pairs
    ):
        raise ValueError(f"{path}: expected a JSON list of [target, source] string pairs")
    return [(t, s) for t, s in pairs]


def video_splits(splits_dir: str | os.PathLike) -> dict[str, dict[str, str]]:
    """Map every real and fake video id to its split, per kind ('real' or 'fake')."""
    real: dict[str, str] = {}
    fake: dict[str, str] = {}
    for split in SPLITS:
        for target, source in read_split_pairs(Path(splits_dir) / f"{split}.json"):
            for vid, table in ((target, real), (source, real),
                               (f"{target}_{source}", fake), (f"{source}_{target}", fake)):
                if table.setdefault(vid, split) != split:
                    raise ValueError(f"video {vid} is listed in both {table[vid]} and {split}")
    return {"real": real, "fake": fake}


def pair_clusters(splits_dir: str | os.PathLike) -> dict[str, str]:
    """Every person of the split files -> the cluster of their pair (linked_people)."""
    return linked_people(pair for split in SPLITS
                         for pair in read_split_pairs(Path(splits_dir) / f"{split}.json"))


def kind_folder(root: str | os.PathLike, kind: str, compression: str, real_source: str) -> Path:
    """Where FF++ keeps the videos of a kind ('real' or a method folder) and compression
    (`NO_COMPRESSION`: a data set in one quality, without compression folders)."""
    if kind == REAL_KIND:
        base = Path(root) / "original_sequences" / real_source
    else:
        base = Path(root) / "manipulated_sequences" / kind
    if compression != NO_COMPRESSION:
        base = base / compression
    return base / "videos"


def video_path(root: str | os.PathLike, kind: str, compression: str, video: str,
               real_source: str) -> Path:
    return kind_folder(root, kind, compression, real_source) / f"{video}.mp4"


def list_ffpp_videos(source: DatasetSource, kind: str, compression: str) -> list[Video]:
    """All videos of one kind and compression that the split files name, sorted by id; a
    fake shows the two people of its pair, and every video is in its pair's cluster."""
    splits_dir = source.splits_dir or OFFICIAL_SPLITS_DIR
    splits = video_splits(splits_dir)["real" if kind == REAL_KIND else "fake"]
    clusters = pair_clusters(splits_dir)
    return [Video(vid, kind, int(kind != REAL_KIND), compression, split,
                  str(video_path(source.root, kind, compression, vid, source.real_source)),
                  tuple(vid.split("_")), clusters[vid.split("_")[0]])
            for vid, split in sorted(splits.items())]
