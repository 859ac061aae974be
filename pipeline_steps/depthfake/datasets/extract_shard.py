"""Frame extraction of one shard: N sampled frames of every video into HDF5, with the frame
index and the shard's skip records; the step `extract_frames` runs it."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from depthfake.datasets import EXCLUDED, list_videos, shard
from depthfake.datasets.video import VideoError, read_sampled_frames
from depthfake.settings import DatasetSource, FrameSettings
from depthfake.storage.files import write_parquet
from depthfake.storage.h5 import write_h5
from depthfake.storage.skips import SkipLog

log = logging.getLogger(__name__)
STAGE = "extract_frames"
# `video`: the id (the HDF5 name); `path`: the file it was read from; `cluster`: the related
# videos it is resampled with (depthfake.datasets.base.Video).
INDEX_COLUMNS = ["dataset", "video", "path", "kind", "label", "compression", "split", "cluster",
                 "frame", "position"]


def extract_frames(dataset: str, source: DatasetSource, settings: FrameSettings, *, kind: str,
                   compression: str, shard_index: int, num_shards: int, out_frames: Path,
                   out_index: Path, out_skips: Path) -> pd.DataFrame:
    """Extract one shard; returns its frame index (one row per stored frame)."""
    videos = shard(list_videos(source, kind, compression), shard_index, num_shards)
    skips = SkipLog(STAGE, dataset)
    rows = []
    with write_h5(out_frames, {"frames": settings.model_dump()}) as h5:
        for video in tqdm(videos, desc=f"{STAGE} {kind}"):
            if video.split == EXCLUDED:
                skips.add(video.video, kind, compression, f"its people {video.groups} fall in "
                          "different splits, so it is in none")
                continue
            try:
                indices, frames = read_sampled_frames(video.path, settings.per_video,
                                                     settings.stride)
            except VideoError as err:
                skips.add(video.video, kind, compression, f"{err}: {video.path}")
                continue
            h5.create_dataset(f"videos/{video.video}", data=np.stack(frames), compression="lzf",
                              chunks=(1, *frames[0].shape))
            rows += [dict(dataset=dataset, video=video.video, path=video.path, kind=kind,
                          label=video.label, compression=compression, split=video.split,
                          cluster=video.cluster or video.video, frame=i, position=p)
                     for p, i in enumerate(indices)]
    index = pd.DataFrame(rows, columns=INDEX_COLUMNS)
    write_parquet(out_index, index)
    skips.write(out_skips)
    log.info("%d frames from %d of %d videos", len(index), index["video"].nunique(), len(videos))
    return index
