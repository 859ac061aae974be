"""A data set's videos checked on disk when Snakemake starts, before any job runs, and the
listing that decides each extraction shard's content. Standard library only: the workflow
imports it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from depthfake.datasets import EXCLUDED, Video, list_videos
from depthfake.datasets.base import videos_in
from depthfake.datasets.manifest import manifest_problems
from depthfake.settings import DatasetSettings

# Videos named per problem before "...".
EXAMPLES = 3


def _missing_videos(where: Path | str, listed: list[Video], missing: list[Video]) -> str:
    names = ", ".join(v.video for v in missing[:EXAMPLES]) + (
        ", ..." if len(missing) > EXAMPLES else "")
    return f"{where}: {len(missing)} of the {len(listed)} videos listed are missing ({names})"


def _splits_hint(name: str, source: DatasetSettings, folders: list[Path],
                 listed: list[Video]) -> str:
    """Where most videos an FF++ data set's splits list are missing, the splits are the likely
    cause: `splits_dir` named with its value, and the videos the folders hold unlisted."""
    paths = {Path(v.path) for v in listed}
    unlisted = sum(p not in paths for folder in folders if folder.is_dir()
                   for p in videos_in(folder))
    splits = (f"is {source.splits_dir}" if source.splits_dir
              else "is null: the official FF++ splits")
    return (f"; most are, so the splits may not be this tree's: datasets.{name}.splits_dir "
            f"{splits}" + (f" (the folder holds {unlisted} video(s) they do not list)"
                           if unlisted else ""))


def dataset_problems(name: str, source: DatasetSettings, slices: list[tuple[str, str]],
                     splits: set[str]) -> list[str]:
    """Everything wrong with data set `name` on disk for the (compression, kind) `slices` the
    workflow reads, each of `splits` needing a real and a fake video at every compression.

    Missing videos are problems unless `missing_videos` is `skip` (then extraction records
    them as skips); a missing root, folder, or an unreadable split file or list always is. A
    manifest's problems, missing files among them, are one problem naming each line.
    """
    if not Path(source.root).is_dir():
        return [f"datasets.{name}.root: {source.root} is not a folder"]
    if source.layout == "manifest" and (report := manifest_problems(
            source, set(slices) if source.missing_videos == "error" else set())):
        return [f"datasets.{name}: {report}"]  # the other checks read what it lists
    problems, present, incomplete = [], [], set()
    for compression, kind in slices:
        try:
            videos = list_videos(source, kind, compression)
        except (OSError, ValueError) as err:
            problems.append(f"{err} (the {kind} videos at {compression})"
                            if isinstance(err, OSError) else f"datasets.{name}: {err}")
            incomplete.add(compression)
            continue
        folders = sorted({Path(v.path).parent for v in videos})
        if not videos or not any(folder.is_dir() for folder in folders):
            problems.append(f"{folders[0]} (the {kind} videos at {compression}) is not a folder"
                            if folders else f"data set {name} lists no {kind} video at "
                            f"{compression}")
            incomplete.add(compression)
            continue
        used = [v for v in videos if v.split != EXCLUDED]
        missing = [v for v in used if not os.path.isfile(v.path)]
        if missing and source.missing_videos == "error":
            where = folders[0] if len(folders) == 1 else f"data set {name}"
            hint = (_splits_hint(name, source, folders, used)
                    if source.layout == "ffpp" and 2 * len(missing) > len(used) else "")
            problems.append(_missing_videos(where, used, missing) + hint)
        present += [v for v in used if v not in missing]
    for compression in sorted({c for c, _ in slices} - incomplete):
        for split in sorted(splits):
            for label, word in ((0, "real"), (1, "fake")):
                if not any(v.compression == compression and v.split == split and v.label == label
                           for v in present):
                    problems.append(f"data set {name} has no {word} {split} video at "
                                    f"{compression} on disk")
    return list(dict.fromkeys(problems))  # a bad split file or list is named once


def shard_listing(videos: list[Video]) -> str:
    """A digest of a shard's videos as found on disk (path, split, size, modification time;
    or absent): a video restored, replaced or removed changes it, and so does a video moved to
    another split (DFD, Celeb-DF and manifests split people by what else is there), so the
    shard reruns."""
    digest = hashlib.sha256()
    for video in videos:
        try:
            stat = os.stat(video.path)
            found = f"{stat.st_size} {stat.st_mtime_ns}"
        except OSError:
            found = "absent"
        digest.update(f"{video.path} {video.split} {found}\n".encode())
    return digest.hexdigest()[:16]
