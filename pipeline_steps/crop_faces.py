"""Stage 3: crop the largest face of every sampled frame (FF++'s 1.3x square), with landmarks.

Writes crops (one per HDF5 chunk, appended a video at a time), boxes (x0, y0, side) and 68
landmarks (crop pixels), and the frame index extended with `detected` (a face was found),
`face_side` (its side in frame pixels), `frame_side` (the frame's shorter side), `has_face`
and `row` (-1: no crop used): no frame is dropped silently. A video with a face in fewer than
`min_face_share` of its frames is recorded as skipped, and its crops are not stored.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from depthfake.faces.store import CropWriter
from depthfake.files import read_parquet, write_parquet
from depthfake.h5store import open_h5, read_settings, write_h5
from depthfake.preprocess import FaceCropper
from depthfake.settings import FaceSettings, add_arguments, from_args
from depthfake.skips import SkipLog
from depthfake.steps import add_index_outputs, setup_logging, step_parser

log = logging.getLogger(__name__)
STAGE = "crop_faces"


def too_few_faces(found: int, frames: int, min_share: float) -> str | None:
    """Why a video with faces in `found` of its `frames` is skipped (None: it is kept)."""
    if found == 0:
        return f"no face detected in any of {frames} frames"
    if found < min_share * frames:
        return f"a face in only {found} of {frames} frames (faces.min_face_share {min_share:g})"
    return None


def crop_faces(frames_file: Path, frame_index: Path, settings: FaceSettings, out_faces: Path,
               out_index: Path, out_skips: Path) -> pd.DataFrame:
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


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--frames", type=Path, required=True, help="HDF5 from extract_frames")
    parser.add_argument("--frame-index", type=Path, required=True, help="its Parquet index")
    add_arguments(parser, FaceSettings)
    parser.add_argument("--out-faces", type=Path, required=True, help="HDF5 of crops")
    add_index_outputs(parser)
    args = parser.parse_args(argv)
    setup_logging(args.log)
    crop_faces(args.frames, args.frame_index, from_args(FaceSettings, args), args.out_faces,
               args.out_index, args.out_skips)


if __name__ == "__main__":
    main()
