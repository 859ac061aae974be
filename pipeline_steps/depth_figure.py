"""A look at what the detectors are fed: test crops beside their depth maps from every backend.

Takes the first frame with a face of a few test videos of each kind; one row per crop, one
column per depth backend (1 = nearest, light; background, where a backend marks it, grey).
"""

from __future__ import annotations

from pathlib import Path

from depthfake.jobs._runtime import setup_logging, step_parser
from depthfake.reporting.depth_figure import depth_figure


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--faces", type=Path, nargs="+", required=True,
                        help="crop HDF5 files, one per video kind")
    parser.add_argument("--index", type=Path, nargs="+", required=True,
                        help="their Parquet indices, in the same order")
    parser.add_argument("--backends", nargs="+", required=True, help="depth backend names")
    parser.add_argument("--depth", type=Path, nargs="+", required=True,
                        help="depth HDF5 files: for each backend, one per --faces file")
    parser.add_argument("--per-kind", type=int, default=2, help="crops shown per video kind")
    parser.add_argument("--out", type=Path, required=True, help="PNG file")
    parser.add_argument("--out-data", type=Path, required=True,
                        help="CSV: per drawn map, its face, backend and depth range")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    depth_figure(args.faces, args.index, backends=args.backends, depth_files=args.depth,
                 per_kind=args.per_kind, out=args.out, out_data=args.out_data)


if __name__ == "__main__":
    main()
