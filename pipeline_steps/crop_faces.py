"""Stage 3: crop the largest face of every sampled frame (FF++'s 1.3x square), with landmarks.

Writes crops, boxes (x0, y0, side) and 68 landmarks (crop pixels) into HDF5, and the frame
index extended with `has_face` and `row` (-1 without a face): no frame is dropped silently.
A video with no face in any frame is also recorded as skipped.
"""

from __future__ import annotations

import logging
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
from tqdm import tqdm

from depthfake.faces import create_face_detector, crop_face, largest_face
from depthfake.h5store import write_h5
from depthfake.skips import SkipLog
from depthfake.steps import add_index_outputs, atomic_output, setup_logging, step_parser

log = logging.getLogger(__name__)
STAGE = "crop_faces"


def crop_faces(frames_file: Path, frame_index: Path, backend: str, backend_options: dict,
               crop_size: int, scale: float, out_faces: Path, out_index: Path,
               out_skips: Path) -> pd.DataFrame:
    """Crop one shard's frames; returns the extended frame index."""
    index = pd.read_parquet(frame_index)
    detector = create_face_detector(backend, **backend_options)
    skips = SkipLog(STAGE)
    crops, boxes, landmarks, rows = [], [], [], np.full(len(index), -1, np.int64)
    with h5py.File(frames_file, "r") as frames_h5:
        for video, group in tqdm(index.groupby("video", sort=False), desc=STAGE):
            frames = frames_h5[f"videos/{video}"]
            for position, frame_row in zip(group["position"], group.index, strict=True):
                image = frames[position]
                face = largest_face(detector.detect(image))
                if face is None:
                    continue
                crop = crop_face(image, face, crop_size, scale)
                rows[frame_row] = len(crops)
                crops.append(crop.image)
                boxes.append(crop.box)
                landmarks.append(crop.landmarks)
            if (rows[group.index] < 0).all():
                first = group.iloc[0]
                skips.add(video, first["kind"], first["compression"],
                          f"no face detected in any of {len(group)} frames")
    index = index.assign(has_face=rows >= 0, row=rows)
    with write_h5(out_faces, backend=backend, crop_size=crop_size, scale=scale) as h5:
        h5.create_dataset("crops", data=np.asarray(crops, np.uint8).reshape(
            -1, crop_size, crop_size, 3))
        h5.create_dataset("boxes", data=np.asarray(boxes, np.int32).reshape(-1, 3))
        h5.create_dataset("landmarks", data=np.asarray(landmarks, np.float32).reshape(-1, 68, 2))
    with atomic_output(out_index) as tmp:
        index.to_parquet(tmp, index=False)
    skips.write(out_skips)
    log.info("faces in %d of %d frames", int(index["has_face"].sum()), len(index))
    return index


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--frames", type=Path, required=True, help="HDF5 from extract_frames")
    parser.add_argument("--frame-index", type=Path, required=True, help="its Parquet index")
    parser.add_argument("--backend", default="dlib", help="face backend")
    parser.add_argument("--upsample", type=int, default=1, help="dlib: frame doublings")
    parser.add_argument("--landmark-model", help="dlib: path of the 68-point model file")
    parser.add_argument("--crop-size", type=int, default=224, help="side of the saved crops")
    parser.add_argument("--scale", type=float, default=1.3, help="crop side / face box side")
    parser.add_argument("--out-faces", type=Path, required=True, help="HDF5 of crops")
    add_index_outputs(parser)
    args = parser.parse_args(argv)
    setup_logging(args.log)
    options = {"upsample": args.upsample, "landmark_model": args.landmark_model}
    crop_faces(args.frames, args.frame_index, args.backend, options, args.crop_size, args.scale,
               args.out_faces, args.out_index, args.out_skips)


if __name__ == "__main__":
    main()
