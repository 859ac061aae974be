"""Stage 3: crop the largest face of every sampled frame (FF++'s 1.3x square), with landmarks.

Writes crops, boxes (x0, y0, side) and 68 landmarks (crop pixels) into HDF5, and the frame
index extended with `has_face` and `row` (-1 without a face): no frame is dropped silently.
A video with no face in any frame is also recorded as skipped.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from depthfake.files import read_parquet, write_parquet
from depthfake.h5store import open_h5, read_settings, write_h5
from depthfake.preprocess import FaceCropper
from depthfake.settings import FaceSettings, add_arguments, from_args
from depthfake.skips import SkipLog
from depthfake.steps import add_index_outputs, setup_logging, step_parser

log = logging.getLogger(__name__)
STAGE = "crop_faces"


def crop_faces(frames_file: Path, frame_index: Path, settings: FaceSettings, out_faces: Path,
               out_index: Path, out_skips: Path) -> pd.DataFrame:
    """Crop one shard's frames; returns the extended frame index."""
    index = read_parquet(frame_index)
    cropper = FaceCropper(settings)
    skips = SkipLog(STAGE, str(index["dataset"].iloc[0]) if len(index) else "")
    crops, rows = [], np.full(len(index), -1, np.int64)
    with open_h5(frames_file) as frames_h5:
        for video, group in tqdm(index.groupby("video", sort=False), desc=STAGE):
            frames = frames_h5[f"videos/{video}"]
            for position, frame_row in zip(group["position"], group.index, strict=True):
                crop = cropper.crop(frames[position])
                if crop is not None:
                    rows[frame_row] = len(crops)
                    crops.append(crop)
            if (rows[group.index] < 0).all():
                first = group.iloc[0]
                skips.add(video, first["kind"], first["compression"],
                          f"no face detected in any of {len(group)} frames")
    index = index.assign(has_face=rows >= 0, row=rows)
    size = settings.crop_size
    produced_by = {**read_settings(frames_file), "faces": settings.model_dump()}
    with write_h5(out_faces, produced_by) as h5:
        h5.create_dataset("crops", data=np.asarray([c.image for c in crops], np.uint8).reshape(
            -1, size, size, 3))
        h5.create_dataset("boxes", data=np.asarray([c.box for c in crops], np.int32).reshape(
            -1, 3))
        h5.create_dataset("landmarks", data=np.asarray(
            [c.landmarks for c in crops], np.float32).reshape(-1, 68, 2))
    write_parquet(out_index, index)
    skips.write(out_skips)
    log.info("faces in %d of %d frames", int(index["has_face"].sum()), len(index))
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
