"""Stage 7: the detection and robustness tables, with 95 % intervals, as Markdown, HTML, CSV
and LaTeX (booktabs).

Detection: every model on the clean test set (the RGB baseline; each depth-reading model on
its estimated maps, and on zeros, the control); then, for the cells trained on ALL forgeries,
the frame accuracy per kind. Robustness, one set of files per depth mode (modes are never
mixed): every attack at the paper's parameters, then each severity sweep. Every cell gives
its real and fake video counts, frame accuracy, frame AUC and video AUC (each video's mean fake
probability) with 95 % bootstrap intervals over test videos, and its paired difference from
the RGB baseline of its backbone, bold where that interval excludes zero. A cell whose test
set holds one class is marked, never bold, and named on the console. A column's compression is
its test data's own ("none (trained at c40)": Celeb-DF under a model trained at c40). The
CSVs keep every number unrounded; every file names the code version and config it came from.
"""

from __future__ import annotations

from pathlib import Path

from depthfake.jobs._runtime import setup_logging, step_parser
from depthfake.reporting.tables import make_tables_from_files


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--predictions", type=Path, nargs="+", required=True,
                        help="Parquet files from evaluate")
    parser.add_argument("--rows", nargs="+", required=True,
                        help="row order: model/backbone/depth triples")
    parser.add_argument("--test-datasets", nargs="+", required=True, help="column order")
    parser.add_argument("--compressions", nargs="+", required=True,
                        help="column order: the training compressions")
    parser.add_argument("--forgeries", nargs="+", required=True, help="column order")
    parser.add_argument("--depth-modes", nargs="+", required=True,
                        help="one robustness table each; the first gives detection's maps")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    parser.add_argument("--out-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    setup_logging(args.log)
    make_tables_from_files(args.predictions, rows=args.rows, test_datasets=args.test_datasets,
                           compressions=args.compressions, forgeries=args.forgeries,
                           depth_modes=args.depth_modes, out_dir=args.out_dir, seed=args.seed)


if __name__ == "__main__":
    main()
