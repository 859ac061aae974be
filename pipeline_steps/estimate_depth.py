"""Stage 4: one depth map per face crop, into HDF5 (rows aligned with the crops file).

Depth is relative, in [0, 1] (1 = nearest), NaN on background pixels.
"""

from __future__ import annotations

import logging
from pathlib import Path

import h5py
import numpy as np
from tqdm import tqdm

from depthfake.depth import create_depth_estimator
from depthfake.h5store import write_h5
from depthfake.steps import setup_logging, step_parser

log = logging.getLogger(__name__)
BATCH = 256


def estimate_depth(faces_file: Path, backend: str, backend_options: dict, out_depth: Path) -> int:
    """Estimate the depth of every crop of one shard; returns the number of maps."""
    estimator = create_depth_estimator(backend, **backend_options)
    with h5py.File(faces_file, "r") as faces, write_h5(out_depth, backend=backend) as out:
        crops, landmarks = faces["crops"], faces["landmarks"]
        depth = out.create_dataset("depth", shape=crops.shape[:3], dtype=np.float16,
                                   chunks=(1, *crops.shape[1:3]) if len(crops) else None)
        for start in tqdm(range(0, len(crops), BATCH), desc="estimate_depth"):
            stop = min(start + BATCH, len(crops))
            depth[start:stop] = estimator.estimate(crops[start:stop], landmarks[start:stop])
        empty = int(np.isnan(depth[:]).all(axis=(1, 2)).sum()) if len(crops) else 0
    if empty:
        log.warning("%d of %d crops got no depth (pose fit failed); they read as zero", empty,
                    len(crops))
    log.info("%d depth maps with %s", len(crops), backend)
    return len(crops)


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--faces", type=Path, required=True, help="HDF5 from crop_faces")
    parser.add_argument("--backend", default="landmark_mesh", help="depth backend")
    parser.add_argument("--focal-scale", type=float, default=1.0,
                        help="landmark_mesh: focal length in crop sides")
    parser.add_argument("--out-depth", type=Path, required=True, help="HDF5 of depth maps")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    estimate_depth(args.faces, args.backend, {"focal_scale": args.focal_scale}, args.out_depth)


if __name__ == "__main__":
    main()
