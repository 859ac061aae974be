"""Data sets: their layouts, each listing its videos with kind, label, split and identities;
video decoding (`video`), per-video preprocessing (`preprocess`), the batched loader (`loader`).

`list_videos(source, kind, compression)` reads the layout `source.layout` names: `ffpp`
(FaceForensics++ with pair-format split files), `dfd` (its DeepFakeDetection actors, split by
actor), `celebdf` (Celeb-DF v2 with its test list) or `manifest` (any CSV/Parquet video list).
Files are not opened here: one that cannot be read is the extraction step's recorded skip.
Standard library only: the workflow imports it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from depthfake.datasets.base import EXCLUDED, SPLITS, Video, folders_of, shard
from depthfake.datasets.celebdf import list_celebdf_videos
from depthfake.datasets.dfd import list_dfd_videos
from depthfake.datasets.ffpp import list_ffpp_videos
from depthfake.datasets.manifest import list_manifest_videos
from depthfake.settings import DatasetSource

# Ids named per error before the list is cut.
EXAMPLES = 5

LAYOUTS: dict[str, Callable[[DatasetSource, str, str], list[Video]]] = {
    "ffpp": list_ffpp_videos,
    "dfd": list_dfd_videos,
    "celebdf": list_celebdf_videos,
    "manifest": list_manifest_videos,
}

# What a cluster of related test videos is, per layout (each layout module says why).
CLUSTER_UNITS = {
    "ffpp": "test pairs (a pair's two real videos and every fake made from them)",
    "dfd": "target actors (every video filming one actor)",
    "celebdf": "target identities (every video filming one person; a YouTube real alone)",
    "manifest": "videos sharing a group, directly or through others",
}


def list_videos(source: DatasetSource, kind: str, compression: str) -> list[Video]:
    """Every video of one kind and compression of a data set, sorted by id; ids that repeat,
    or that are a folder of another (`a` beside `a/b`: the HDF5 names clash), are an error."""
    videos = LAYOUTS[source.layout](source, kind, compression)
    counts = Counter(v.video for v in videos)
    folders = {part for vid in counts for part in folders_of(vid)}
    if clashes := sorted(vid for vid, n in counts.items() if n > 1 or vid in folders):
        raise ValueError(f"the {kind} videos at {compression} have ids that clash (repeated, or "
                         f"also a folder of another id): {clashes[:EXAMPLES]}")
    return videos


__all__ = ["CLUSTER_UNITS", "EXCLUDED", "LAYOUTS", "SPLITS", "Video", "list_videos", "shard"]
