"""Stage 7a: the statistics of one table column (test data set, compression, forgery): every
model's cells, clean and under every attack, with intervals and paired differences from the
RGB baseline.

Test videos are resampled in clusters of related videos (an FF++ test pair: its two reals and
every fake made from them), shared by every model and condition of the column. Each interval
combines that bootstrap's standard error with the variation between training seeds (with two
or more), under a Welch-Satterthwaite t quantile; each difference also gets its p-value. One
job per column: a model added to one training cell reruns that cell's columns only. The tables
step decides which differences are marked.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from depthfake.evaluation.cell_stats import column_statistics
from depthfake.jobs._runtime import setup_logging, step_parser
from depthfake.settings import BootstrapSettings, add_arguments, from_args
from depthfake.storage.files import read_parquet, write_parquet


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--predictions", type=Path, nargs="+", required=True,
                        help="Parquet files from evaluate, of one column")
    add_arguments(parser, BootstrapSettings)
    parser.add_argument("--out", type=Path, required=True, help="Parquet of the cells")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    predictions = pd.concat([read_parquet(p) for p in args.predictions], ignore_index=True)
    write_parquet(args.out, column_statistics(predictions, from_args(BootstrapSettings, args)))


if __name__ == "__main__":
    main()
