"""Stage 1: build the miniature FF++ demo data set from faces shipped in registry packages."""

from __future__ import annotations

from pathlib import Path

from depthfake.demo import build_demo_dataset
from depthfake.jobs._runtime import setup_logging, step_parser
from depthfake.settings import DemoSettings, add_arguments, from_args


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--out", type=Path, required=True,
                        help="data set root to create (FF++ layout); replaced atomically")
    add_arguments(parser, DemoSettings)
    parser.add_argument("--workers", type=int, default=2,
                        help="threads rendering and encoding videos (default 2)")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    build_demo_dataset(args.out, from_args(DemoSettings, args), workers=args.workers)


if __name__ == "__main__":
    main()
