"""DeepFakeDetection (FF++'s actors): no official split, so the actors are split instead.

The FF++ tree with reals in `original_sequences/actors/<compression>/videos/<actor>__<scene>
.mp4` and fakes in `manipulated_sequences/DeepFakeDetection/<compression>/videos/
<target>_<source>__<scene>__<id>.mp4`. Actors go to train/val/test in the proportions
`split_fractions`; a fake whose two actors land in different splits is excluded (recorded as a
skip), so no actor of a test video is seen in training. A video's cluster is its target actor
(the person and scene filmed): linking source actors too joins most of DFD into one cluster.
"""

from __future__ import annotations

from depthfake.datasets.base import Video, split_groups, split_of, videos_in
from depthfake.datasets.ffpp import kind_folder
from depthfake.settings import REAL_KIND, DatasetSource


def actors(name: str) -> tuple[str, ...]:
    """The actors a DFD file name shows: `01__scene` -> (01,), `01_02__scene__X` -> (01, 02)."""
    return tuple(name.split("__")[0].split("_"))


def list_dfd_videos(source: DatasetSource, kind: str, compression: str) -> list[Video]:
    """The videos of one kind and compression, sorted, each with its actors' split."""
    def folder(of_kind: str):
        return kind_folder(source.root, of_kind, compression, source.real_source)

    paths = videos_in(folder(kind))
    # Actors come from the reals at this compression, so every kind splits them alike.
    reals = paths if kind == REAL_KIND else videos_in(folder(REAL_KIND))
    assigned = split_groups({a for p in reals for a in actors(p.stem)},
                            tuple(source.split_fractions))
    videos = []
    for path in paths:
        shown = actors(path.stem)
        if unknown := [a for a in shown if a not in assigned]:
            raise ValueError(f"{path}: actor(s) {unknown} have no real video in "
                             f"{folder(REAL_KIND)}")
        videos.append(Video(path.stem, kind, int(kind != REAL_KIND), compression,
                            split_of(shown, assigned), str(path), shown, shown[0]))
    return videos
