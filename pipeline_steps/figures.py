"""Stage 8: the result figures, each a PNG with the data it draws beside it as CSV.

- severity_<mode>: frame accuracy and AUC against the level of each swept attack, one panel
  per table column, a line per model with its interval as a band (the numbers of
  robustness_<mode>.csv, and the mode's clean reference at the level that changes nothing);
- roc: frame-level ROC curves of every model on the clean test set, a panel per column;
- scores: each test video's mean fake probability, reals beside fakes, per model and column.
"""

from __future__ import annotations

from pathlib import Path

from depthfake.jobs._runtime import setup_logging, step_parser
from depthfake.reporting.figures import make_figures_from_files


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--predictions", type=Path, nargs="+", required=True,
                        help="Parquet files from evaluate")
    parser.add_argument("--robustness", type=Path, nargs="+", required=True,
                        help="robustness_<mode>.csv files (tables), one per depth mode")
    parser.add_argument("--depth-modes", nargs="+", required=True,
                        help="the modes of --robustness, in order")
    parser.add_argument("--out-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    setup_logging(args.log)
    if len(args.robustness) != len(args.depth_modes):
        parser.error("give one --robustness file per --depth-modes entry")
    make_figures_from_files(args.predictions, robustness=args.robustness,
                            depth_modes=args.depth_modes, out_dir=args.out_dir)


if __name__ == "__main__":
    main()
