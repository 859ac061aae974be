"""Celeb-DF v2: `Celeb-real/`, `YouTube-real/`, `Celeb-synthesis/` and the official test list.

`List_of_testing_videos.txt` names the test videos, one `<label> <folder>/<file>.mp4` per line
(label 1 = real, 0 = fake). Every other video goes to train or val by identity (`id<N>` in
`id<N>_<clip>` reals and `id<T>_id<S>_<clip>` fakes; a YouTube real is its own identity), in
the train : val proportion of `split_fractions`. Celeb-DF's own protocol: its test videos show
identities that its other videos show too. A video's cluster is its target identity (the
person and background filmed; a YouTube real is its own): Celeb-DF's fakes join pairs of its
59 celebrities, so linking source identities too leaves only a few clusters.
"""

from __future__ import annotations

import os
from pathlib import Path

from depthfake.datasets.base import SPLITS, Video, split_groups, split_of, videos_in
from depthfake.settings import REAL_KIND, DatasetSource

FAKE_KIND = "Celeb-synthesis"
FOLDERS = {REAL_KIND: ("Celeb-real", "YouTube-real"), FAKE_KIND: (FAKE_KIND,)}
FOLDER_KIND = {folder: kind for kind, folders in FOLDERS.items() for folder in folders}
TEST_LIST = "List_of_testing_videos.txt"


def identities(folder: str, name: str) -> tuple[str, ...]:
    """The people a Celeb-DF video shows, from its file name."""
    if folder == "YouTube-real":
        return (f"youtube-{name}",)
    return tuple(part for part in name.split("_") if part.startswith("id"))


def read_test_list(root: str | os.PathLike) -> dict[str, int]:
    """The official test videos: relative path -> label (1 = fake, as everywhere here)."""
    path = Path(root) / TEST_LIST
    try:
        lines = path.read_text().split("\n")
    except OSError as err:
        raise FileNotFoundError(f"{path}: the Celeb-DF v2 test list is not readable ({err})"
                                ) from None
    listed = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        label, _, relative = line.strip().partition(" ")
        folder, _, name = relative.strip().partition("/")
        if label not in ("0", "1") or folder not in FOLDER_KIND or "/" in name or not (
                name.endswith(".mp4")):
            raise ValueError(f"{path}, line {number}: expected '<0|1> <folder>/<file>.mp4' "
                             f"with a folder of {sorted(FOLDER_KIND)}, got {line!r}")
        listed[relative.strip()] = 1 - int(label)
    return listed


def list_celebdf_videos(source: DatasetSource, kind: str, compression: str) -> list[Video]:
    """The videos of one kind ('real' or 'Celeb-synthesis'), sorted by id; listed test videos
    that are not on disk are kept, so the data set check names them."""
    if kind not in FOLDERS:
        raise ValueError(f"Celeb-DF v2 has the kinds {sorted(FOLDERS)}, not {kind!r}")
    test = read_test_list(source.root)
    every = sorted({f"{folder}/{path.name}" for folder in FOLDER_KIND
                    for path in videos_in(Path(source.root) / folder)} | set(test))
    shown = {r: identities(*Path(r).with_suffix("").parts) for r in every}
    # Identities are split over every folder, so reals and fakes of one person agree.
    train, val, _ = source.split_fractions
    assigned = split_groups({g for r in every if r not in test for g in shown[r]},
                            (train, val, 0.0))
    label = int(kind != REAL_KIND)
    mine = [r for r in every if FOLDER_KIND[r.split("/")[0]] == kind]
    if mislabelled := [r for r in mine if test.get(r, label) != label]:
        raise ValueError(f"{source.root}/{TEST_LIST} labels {mislabelled[0]} (in a folder of "
                         f"{kind} videos) as {'real' if label else 'fake'}")
    return [Video(Path(r).stem, kind, label, compression,
                  SPLITS[2] if r in test else split_of(shown[r], assigned),
                  str(Path(source.root) / r), shown[r], shown[r][0] if shown[r] else "")
            for r in mine]
