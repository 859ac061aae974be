"""Stage 4: one depth map per face crop, into HDF5 (rows aligned with the crops file).

Depth is relative, in [0, 1] (1 = nearest), NaN on background pixels.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from tqdm import tqdm

from depthfake.catalogue import DEPTH_BACKENDS
from depthfake.h5store import open_h5, read_settings, write_h5
from depthfake.preprocess import DEPTH_BATCH, depth_batches, depth_estimator
from depthfake.settings import DepthBackendOptions, add_arguments, from_args
from depthfake.steps import setup_logging, step_parser

log = logging.getLogger(__name__)


def estimate_depth(faces_file: Path, backend: str, options: DepthBackendOptions,
                   out_depth: Path) -> int:
    """Estimate the depth of every crop of one shard; returns the number of maps."""
    estimator = depth_estimator(backend, options)
    produced_by = {**read_settings(faces_file),
                   "depth": {"backend": backend, "options": options.options_of(backend)}}
    with open_h5(faces_file) as faces, write_h5(out_depth, produced_by) as out:
        crops, landmarks = faces["crops"], faces["landmarks"]
        depth = out.create_dataset("depth", shape=crops.shape[:3], dtype=np.float16,
                                   chunks=(1, *crops.shape[1:3]) if len(crops) else None)
        batches = tqdm(depth_batches(estimator, crops, landmarks), desc="estimate_depth",
                       total=-(-len(crops) // DEPTH_BATCH))
        for rows, maps in batches:
            depth[rows] = maps
        empty = int(np.isnan(depth[:]).all(axis=(1, 2)).sum()) if len(crops) else 0
    if empty:
        log.warning("%d of %d crops got no depth (pose fit failed); they read as zero", empty,
                    len(crops))
    log.info("%d depth maps with %s", len(crops), backend)
    return len(crops)


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--faces", type=Path, required=True, help="HDF5 from crop_faces")
    parser.add_argument("--backend", required=True, choices=DEPTH_BACKENDS.names(),
                        help="depth backend")
    add_arguments(parser, DepthBackendOptions)
    parser.add_argument("--out-depth", type=Path, required=True, help="HDF5 of depth maps")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    estimate_depth(args.faces, args.backend, from_args(DepthBackendOptions, args),
                   args.out_depth)


if __name__ == "__main__":
    main()
