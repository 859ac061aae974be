"""What every data set layout lists: videos with their kind, label, split, identities and
cluster (the related videos a test resamples together).

Standard library only: the workflow imports it to check data sets before any job runs.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

SPLITS = ("train", "val", "test")
# The split of a video whose identities fall in different splits: listed, never used (its
# extraction records it as a skip, so no video disappears unrecorded).
EXCLUDED = "excluded"
# The files a folder given to `depthfake detect` (or its workflow target) is read for.
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm"}


class Video(NamedTuple):
    """One video of a data set: id (unique per kind and compression), kind, label (1 = fake),
    compression, split, path, the identities (people) it shows, and its cluster: the name
    shared by the videos related to it (its layout says how), which the statistics resample
    together ("": the video is a cluster of its own)."""

    video: str
    kind: str
    label: int
    compression: str
    split: str
    path: str
    groups: tuple[str, ...] = ()
    cluster: str = ""


def folders_of(video: str) -> list[str]:
    """The folders a video id names: `a/b/c` -> [`a`, `a/b`] (an id beside one of them clashes
    with it in an HDF5 file)."""
    parts = video.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def shard(videos: list[Video], index: int, count: int) -> list[Video]:
    """The `index`-th of `count` interleaved shards of a video list (stable, balanced)."""
    if not 0 <= index < count:
        raise ValueError(f"shard index {index} outside 0..{count - 1}")
    return videos[index::count]


def split_groups(groups: Iterable[str], fractions: tuple[float, float, float]
                 ) -> dict[str, str]:
    """Assign identities to train/val/test in the proportions `fractions`.

    The order is a hash of each name, so the assignment does not depend on the order the
    files were found in, and is the same on every machine.
    """
    ordered = sorted(set(groups), key=lambda g: hashlib.sha256(g.encode()).hexdigest())
    total = sum(fractions)
    train = round(len(ordered) * fractions[0] / total)
    val = round(len(ordered) * (fractions[0] + fractions[1]) / total)
    return {g: SPLITS[0] if i < train else SPLITS[1] if i < val else SPLITS[2]
            for i, g in enumerate(ordered)}


def linked_people(videos: Iterable[tuple[str, ...]]) -> dict[str, str]:
    """Each person -> the cluster they belong to: the connected components of the people
    that videos show together (`videos`: the people of each video), each named by its first
    person in sorted order."""
    parent: dict[str, str] = {}

    def root(person: str) -> str:
        while parent[person] != person:
            parent[person] = person = parent[parent[person]]
        return person

    for people in videos:
        for person in people:
            parent.setdefault(person, person)
        for person in people[1:]:
            first, other = sorted((root(people[0]), root(person)))
            parent[other] = first
    return {person: root(person) for person in parent}


def split_of(groups: tuple[str, ...], assigned: dict[str, str]) -> str:
    """The split of a video showing `groups`: theirs if they agree, else EXCLUDED."""
    splits = {assigned[g] for g in groups}
    return splits.pop() if len(splits) == 1 else EXCLUDED


def videos_in(folder: str | os.PathLike, suffix: str = ".mp4") -> list[Path]:
    """The video files of a folder, sorted; a missing folder is one error naming it."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    return sorted(p for p in folder.iterdir() if p.suffix == suffix)


def listed_videos(videos: str | Path) -> list[Path]:
    """The videos of a folder (its files with a video suffix, in name order) or of a text
    file listing one path per line (blank lines and `#` comments skipped; relative paths
    from the list's folder)."""
    source = Path(videos)
    if source.is_dir():
        return sorted(p for p in source.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    if not source.is_file():
        raise FileNotFoundError(f"{source}: no such folder or list of videos")
    lines = [line.strip() for line in source.read_text().splitlines()]
    return [source.parent / line for line in lines if line and not line.startswith("#")]
