"""Stage 7: the detection and robustness tables, as Markdown and CSV.

Detection: (model, backbone, depth backend) x (test data set, compression, forgery) on the
clean test set; then, for the cells trained on ALL forgeries, the accuracy per kind (real and
each forgery; nothing bold). Robustness: the same per attack. Both give frame-level accuracy
(%) with each column's all-fake rate (the share of fake faces) in its header, frame-level AUC
and video-level AUC (each video's mean fake probability), the mean ± standard deviation over
seeds, the best of each column in bold. The CSVs keep every metric of depthfake.metrics for
every seed. Every file names the code version and config it came from.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd

from depthfake.attacks import ATTACKS
from depthfake.files import read_parquet, write_csv, write_text
from depthfake.metrics import KIND_ACCURACY, cell_metrics
from depthfake.provenance import provenance_line
from depthfake.report import FAKE_SHARE, SHOWN, over_seeds, to_markdown, wide_table
from depthfake.steps import setup_logging, step_parser

DEPTH_MODE_CAPTION = {
    "perturb": "depth under attack: `perturb` mode (the paper's): the same operation, with "
               "the same random draws, applied to the stored depth map",
}
NOTE = ("accuracy at threshold 0.5; all-fake: the accuracy of always saying fake; video AUC "
        "from each video's mean fake probability")
KIND_NOTE = ("real: real faces called real; a forgery: its faces called fake; accuracy at "
             "threshold 0.5")


def markdown_section(title: str, metrics: pd.DataFrame, rows: list[tuple],
                     columns: list[tuple], labels: dict[str, str] = SHOWN,
                     note: str = NOTE, bold: bool = True) -> str:
    """A titled table of the metrics in labels (name -> header) over seeds, and its note."""
    summary = over_seeds(metrics)
    seeds = sorted(summary["seeds"].unique())
    table = to_markdown(wide_table(summary, rows, columns, [*labels, FAKE_SHARE]), columns,
                        labels, bold)
    note = (f"At least {int(summary['faces'].min())} test faces per cell; {note}; "
            f"{'/'.join(map(str, seeds))} seed(s) per cell"
            + (", mean ± standard deviation." if max(seeds) > 1 else "."))
    return f"{title}\n\n{table}\n\n{note}\n"


def kinds_section(metrics: pd.DataFrame, rows: list[tuple], columns: list[tuple]) -> str:
    """Frame accuracy per kind of the cells trained on ALL forgeries ("" without any)."""
    metrics = metrics[metrics["forgery"] == "ALL"]
    if metrics.empty:
        return ""
    kinds = [c for c in metrics if c.startswith(KIND_ACCURACY) and metrics[c].notna().any()]
    return "\n" + markdown_section(
        "## Accuracy per kind (trained on ALL forgeries; frame level)", metrics, rows,
        [c for c in columns if c[2] == "ALL"],
        {k: k.removeprefix(KIND_ACCURACY) for k in kinds}, KIND_NOTE, bold=False)


def make_tables(predictions: pd.DataFrame, rows: list[tuple], columns: list[tuple],
                out_dir: Path) -> pd.DataFrame:
    """Write detection.{md,csv} and robustness.{md,csv}; returns every seed's cell metrics."""
    metrics = cell_metrics(predictions)
    trained_on = ", ".join(sorted(metrics["dataset"].unique()))
    footer = f"\n---\n{provenance_line()}\n"
    clean = metrics[metrics["condition"] == "clean"]
    write_csv(out_dir / "detection.csv", clean)
    write_text(out_dir / "detection.md", markdown_section(
        f"# Detection (trained on {trained_on}; clean test set)", clean, rows, columns)
        + kinds_section(clean, rows, columns) + footer)
    attacked = metrics[metrics["condition"] != "clean"]
    write_csv(out_dir / "robustness.csv", attacked)
    sections = [f"# Robustness to black-box attacks (trained on {trained_on}; test set)\n"]
    for attack in ATTACKS:
        part = attacked[attacked["condition"] == attack]
        captions = "; ".join(DEPTH_MODE_CAPTION[m] for m in sorted(part["depth_mode"].unique()))
        sections.append(markdown_section(f"## {attack}\n\n{captions}.", part, rows, columns))
    write_text(out_dir / "robustness.md", "\n".join(sections) + footer)
    return metrics


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
    parser.add_argument("--out-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    setup_logging(args.log)
    predictions = pd.concat([read_parquet(p) for p in args.predictions], ignore_index=True)
    present = set(map(tuple, predictions[["test_dataset", "compression", "forgery"]]
                      .drop_duplicates().to_numpy()))
    columns = [c for c in itertools.product(args.test_datasets, args.compressions,
                                            args.forgeries) if c in present]
    make_tables(predictions, [tuple(r.split("/")) for r in args.rows], columns, args.out_dir)


if __name__ == "__main__":
    main()
