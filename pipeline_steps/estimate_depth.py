"""Stage 4: one depth map per face crop, into HDF5 (rows aligned with the crops file).

Depth follows one convention for every backend: relative depth in [0, 1] per crop, 1 = nearest,
NaN where a backend knows there is no face (background). Maps are float16, one chunk each,
compressed; the dataset's attributes name the backend, its model and weights, the convention
and the code version.
"""

from __future__ import annotations

import logging
from pathlib import Path

from tqdm import tqdm

from depthfake.catalogue import DEPTH_BACKENDS
from depthfake.depth.base import CONVENTION
from depthfake.depth.store import create_depth_dataset, estimate_into
from depthfake.h5store import open_h5, read_settings, write_h5
from depthfake.preprocess import depth_estimator
from depthfake.provenance import code_version
from depthfake.settings import DepthBackendOptions, add_arguments, from_args
from depthfake.steps import limit_threads, setup_logging, step_parser

log = logging.getLogger(__name__)


def estimate_depth(faces_file: Path, backend: str, options: DepthBackendOptions,
                   out_depth: Path, threads: int = 1) -> int:
    """Estimate the depth of every crop of one shard; returns the number of maps."""
    estimator = depth_estimator(backend, options)
    limit_threads(threads)
    produced_by = {**read_settings(faces_file),
                   "depth": {"backend": backend, "options": options.options_of(backend)}}
    attributes = {"backend": backend, "convention": CONVENTION, "code": code_version(),
                  **estimator.identity}
    with open_h5(faces_file) as faces, write_h5(out_depth, produced_by) as out:
        crops, landmarks = faces["crops"], faces["landmarks"]
        depth = create_depth_dataset(out, len(crops), crops.shape[1], attributes,
                                     estimator.marks_background)
        with tqdm(total=len(crops), desc="estimate_depth", unit="crop") as bar:
            empty = estimate_into(estimator, crops, landmarks, depth, threads, str(faces_file),
                                  bar.update)
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
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads (CPU inference, compression)")
    parser.add_argument("--out-depth", type=Path, required=True, help="HDF5 of depth maps")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    estimate_depth(args.faces, args.backend, from_args(DepthBackendOptions, args),
                   args.out_depth, args.threads)


if __name__ == "__main__":
    main()
