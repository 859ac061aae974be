"""Stage 7b: the detection and robustness tables, with their intervals and marks, as
Markdown, HTML, CSV and LaTeX (booktabs), from every column's statistics.

Detection: every model on the clean test set (the RGB baseline; each depth-reading model on
its estimated maps, and on zeros, the control); then, for the cells trained on ALL forgeries,
the frame accuracy per kind. Robustness, one set of files per depth mode (modes are never
mixed): the mode's clean reference (recompute: depth re-estimated from the clean crop;
perturb: the stored maps), every attack at the paper's parameters (and JPG, this project's
addition), then each severity sweep. Every cell gives
its real and fake video counts and clusters, frame accuracy, frame AUC and video AUC (each
video's mean fake probability) with intervals, and its paired difference from the RGB
baseline of its backbone. A difference is bold where it is significant after Holm's
correction over the table's comparisons, and only where both models have enough seeds and
the test set enough clusters of each class; each table's note says what could not be marked,
and why. A cell whose test set holds one class is marked so, and named on the console. A
column's compression is its test data's own ("none (trained at c40)": Celeb-DF under a model
trained at c40). The CSVs keep every number unrounded; every file names the code version and
config it came from.
"""

from __future__ import annotations

from pathlib import Path

from depthfake.jobs._runtime import setup_logging, step_parser
from depthfake.reporting.tables import make_tables_from_files
from depthfake.settings import MarkSettings, add_arguments, from_args


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--statistics", type=Path, nargs="+", required=True,
                        help="Parquet files from column_statistics")
    parser.add_argument("--rows", nargs="+", required=True,
                        help="row order: model/backbone/depth triples")
    parser.add_argument("--test-datasets", nargs="+", required=True, help="column order")
    parser.add_argument("--compressions", nargs="+", required=True,
                        help="column order: the training compressions")
    parser.add_argument("--forgeries", nargs="+", required=True, help="column order")
    parser.add_argument("--depth-modes", nargs="+", required=True,
                        help="one robustness table each")
    parser.add_argument("--layouts", nargs="+", required=True, metavar="DATASET=LAYOUT",
                        help="each test data set's layout, which names its clusters")
    add_arguments(parser, MarkSettings)
    parser.add_argument("--out-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    setup_logging(args.log)
    layouts = dict(pair.split("=", 1) for pair in args.layouts)
    make_tables_from_files(args.statistics, rows=args.rows, test_datasets=args.test_datasets,
                           compressions=args.compressions, forgeries=args.forgeries,
                           depth_modes=args.depth_modes, out_dir=args.out_dir,
                           layouts=layouts, marks=from_args(MarkSettings, args))


if __name__ == "__main__":
    main()
