"""Face cropping of one shard: the largest face of every sampled frame (FF++'s 1.3x square)
with landmarks, the frame index extended and the shard's skip records; the step `crop_faces`
runs it."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from depthfake.datasets.preprocess import FaceCropper
from depthfake.faces.store import CropWriter
from depthfake.settings import FaceSettings
from depthfake.storage.files import read_parquet, write_parquet
from depthfake.storage.h5 import open_h5, read_settings, write_h5
from depthfake.storage.skips import SkipLog

log = logging.getLogger(__name__)
STAGE = "crop_faces"


def too_few_faces(found: int, frames: int, min_share: float) -> str | None:
    """Why a video with faces in `found` of its `frames` is skipped (None: it is kept)."""
    if found == 0:
        return f"no face detected in any of {frames} frames"
    if found < min_share * frames:
        return f"a face in only {found} of {frames} frames (faces.min_face_share {min_share:g})"
    return None


def crop_faces(frames_file: Path, frame_index: Path, settings: FaceSettings, *,
               out_faces: Path, out_index: Path, out_skips: Path) -> pd.DataFrame:
    """Crop one shard's frames; returns the extended frame index."""
    index = read_parquet(frame_index).reset_index(drop=True)  # rows by position
    cropper = FaceCropper(settings)
    skips = SkipLog(STAGE, str(index["dataset"].iloc[0]) if len(index) else "")
    rows = np.full(len(index), -1, np.int64)
    face_side = np.full(len(index), np.nan, np.float32)
    frame_side = np.zeros(len(index), np.int32)
    produced_by = {**read_settings(frames_file), "faces": settings.model_dump()}
    with open_h5(frames_file) as frames_h5, write_h5(out_faces, produced_by) as out:
        writer = CropWriter(out, settings.crop_size)
        for video, group in tqdm(index.groupby("video", sort=False), desc=STAGE, unit="video"):
            frames = frames_h5[f"videos/{video}"]
            frame_side[group.index] = min(frames.shape[1:3])
            positions = group["position"].to_numpy()  # increasing, as extraction wrote them
            batch = cropper.detector.batch_size  # frames read and detected at once
            crops = [crop for start in range(0, len(positions), batch)
                     for crop in cropper.crop_batch(frames[positions[start:start + batch]])]
            found = np.array([c is not None for c in crops])
            face_side[group.index[found]] = [c.face_side for c in crops if c is not None]
            if reason := too_few_faces(int(found.sum()), len(found), settings.min_face_share):
                first = group.iloc[0]
                skips.add(video, first["kind"], first["compression"], reason)
                continue
            rows[group.index[found]] = writer.append([c for c in crops if c is not None])
    index = index.assign(detected=~np.isnan(face_side), face_side=face_side,
                         frame_side=frame_side, has_face=rows >= 0, row=rows)
    write_parquet(out_index, index)
    skips.write(out_skips)
    log.info("faces in %d of %d frames; %d crops stored", int(index["detected"].sum()),
             len(index), writer.count)
    return index
