"""Stage 4: one depth map per face crop, into HDF5 (rows aligned with the crops file).

Depth follows one convention for every backend: relative depth in [0, 1] per crop, 1 = nearest,
NaN where a backend knows there is no face (background). Maps are float16, one chunk each,
compressed; the dataset's attributes name the backend, its model and weights, the convention
and the code version.
"""

from __future__ import annotations

from pathlib import Path

from depthfake.depth.estimate_shard import estimate_depth
from depthfake.jobs._runtime import setup_logging, step_parser
from depthfake.plan.catalogue import DEPTH_BACKENDS
from depthfake.settings import DepthBackendOptions, add_arguments, from_args


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
