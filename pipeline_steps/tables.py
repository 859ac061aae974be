"""Stage 7: the detection and robustness tables, as Markdown and CSV.

Detection: model x (compression, forgery) on the clean test set. Robustness: the same
per attack. Both give frame-level accuracy (%) and AUC; the best of each column is bold.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from depthfake.attacks import ATTACKS
from depthfake.report import cell_metrics, to_markdown, wide_table
from depthfake.steps import atomic_output, setup_logging, step_parser

DEPTH_MODE_CAPTION = {
    "perturb": "depth under attack: `perturb` mode (the paper's): the same operation, with "
               "the same random draws, applied to the stored depth map",
}


def write_text(path: Path, text: str) -> None:
    with atomic_output(path) as tmp:
        tmp.write_text(text)


def write_csv(path: Path, table: pd.DataFrame) -> None:
    with atomic_output(path) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")


def make_tables(predictions: pd.DataFrame, compressions: list[str], forgeries: list[str],
                models: list[str], out_dir: Path) -> pd.DataFrame:
    """Write detection.{md,csv} and robustness.{md,csv}; returns all cell metrics."""
    metrics = cell_metrics(predictions)
    faces = int(metrics["faces"].min())
    clean = metrics[metrics["condition"] == "clean"]
    write_csv(out_dir / "detection.csv", clean)
    write_text(out_dir / "detection.md",
               "# Detection (clean test set, frame level)\n\n"
               + to_markdown(wide_table(clean, compressions, forgeries, models))
               + f"\n\nAt least {faces} test faces per cell; accuracy at threshold 0.5.\n")
    attacked = metrics[metrics["condition"] != "clean"]
    write_csv(out_dir / "robustness.csv", attacked)
    sections = ["# Robustness to black-box attacks (test set, frame level)\n"]
    for attack in ATTACKS:
        rows = attacked[attacked["condition"] == attack]
        captions = "; ".join(DEPTH_MODE_CAPTION[m] for m in sorted(rows["depth_mode"].unique()))
        sections.append(f"## {attack}\n\n{captions}.\n\n"
                        + to_markdown(wide_table(rows, compressions, forgeries, models)) + "\n")
    write_text(out_dir / "robustness.md", "\n".join(sections))
    return metrics


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--predictions", type=Path, nargs="+", required=True,
                        help="Parquet files from evaluate")
    parser.add_argument("--compressions", nargs="+", required=True, help="column order")
    parser.add_argument("--forgeries", nargs="+", required=True, help="column order")
    parser.add_argument("--models", nargs="+", required=True, help="row order")
    parser.add_argument("--out-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    setup_logging(args.log)
    predictions = pd.concat([pd.read_parquet(p) for p in args.predictions], ignore_index=True)
    make_tables(predictions, args.compressions, args.forgeries, args.models, args.out_dir)


if __name__ == "__main__":
    main()
