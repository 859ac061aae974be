"""Per-stage wall time of a finished run, from Snakemake's `benchmark:` files.

Usage: python benchmarks/stage_times.py [results/benchmarks]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd


def stage_times(root: Path) -> pd.DataFrame:
    """Jobs, summed and longest wall seconds per stage (the folder below `root`)."""
    rows = [(path.relative_to(root).parts[0], pd.read_csv(path, sep="\t")["s"].iloc[0])
            for path in sorted(root.rglob("*.tsv"))]
    table = pd.DataFrame(rows, columns=["stage", "seconds"])
    return table.groupby("stage", sort=False)["seconds"].agg(
        jobs="size", total_s="sum", longest_s="max").round(1)


if __name__ == "__main__":
    print(stage_times(Path(sys.argv[1] if len(sys.argv) > 1 else "results/benchmarks"))
          .to_markdown())
