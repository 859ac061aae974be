"""The detection and robustness tables (Markdown, HTML, CSV, LaTeX) from evaluate's
predictions, with 95 % bootstrap intervals; the step `tables` writes them."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd

from depthfake.evaluation.attacks import CLEAN, SWEPT, parse_condition
from depthfake.evaluation.cell_stats import summarise
from depthfake.evaluation.metrics import KIND_ACCURACY, cell_metrics, compression_labels, labelled
from depthfake.plan.provenance import provenance_line
from depthfake.reporting.text import (
    DEPTH_MODE_CAPTION,
    ESTIMATED,
    clean_predictions,
    html_page,
    latex_table,
    long_table,
    markdown_table,
    markdown_text,
    over_seeds,
    to_markdown,
    wide_table,
)
from depthfake.settings import NO_DEPTH, ZERO_DEPTH
from depthfake.storage.files import read_parquet, write_csv, write_text

# Section titles of the tables (benchmarks/record_demo.py reads the tables by them).
CLEAN_SECTION = "Clean test set"
PAPER_PARAMETERS_SECTION = "{attack} (the paper's parameters)"
NOTE = ("Accuracy at threshold 0.5; video AUC from each video's mean fake probability; "
        "[95 % CI]: bootstrap over test videos (1,000 replicates, reals and fakes resampled "
        "separately); Δ vs rgb: paired difference from the RGB baseline of the same "
        "backbone on the same resampled videos, bold where its interval excludes zero; "
        "depth input zeros: the model with its depth maps replaced by zeros")
KIND_NOTE = ("real: real faces called real; a forgery: its faces called fake; accuracy at "
             "threshold 0.5")


def ordered(summary: pd.DataFrame, rows: list[tuple], columns: list[tuple],
            conditions: list[str]) -> pd.DataFrame:
    """Cells by column, condition, row, then depth input (none, estimated or a mode, zero)."""
    inputs = [NO_DEPTH, ESTIMATED, *DEPTH_MODE_CAPTION, ZERO_DEPTH]
    position = {
        "column": {c: i for i, c in enumerate(columns)},
        "condition": {c: i for i, c in enumerate(conditions)},
        "row": {r: i for i, r in enumerate(rows)},
        "depth_input": {d: i for i, d in enumerate(inputs)},
    }
    keys = pd.DataFrame({
        "column": [position["column"][c] for c in zip(
            summary["test_dataset"], summary["compression"], summary["forgery"], strict=True)],
        "condition": summary["condition"].map(position["condition"]),
        "row": [position["row"][r] for r in zip(
            summary["model"], summary["backbone"], summary["depth"], strict=True)],
        "depth_input": summary["depth_input"].map(position["depth_input"]),
    }, index=summary.index)
    return summary.loc[keys.sort_values(list(keys)).index].reset_index(drop=True)


def section(summary: pd.DataFrame, title: str, show_dataset: bool, level: bool = False,
            fallbacks: bool = False) -> tuple[str, str]:
    """A titled section: (Markdown, LaTeX)."""
    header, cells = long_table(summary, show_dataset, level, fallbacks)
    return (f"{title}\n\n{markdown_table(header, cells)}\n",
            latex_table(header, cells, title.lstrip("# ")))


def write_tables(out_dir: Path, name: str, summary: pd.DataFrame, *, title: str,
                 sections: list[tuple[str, str]], notes: str) -> None:
    """name.md, name.html, name.tex and name.csv: the sections, the notes, the provenance."""
    footer = provenance_line()
    markdown = "\n".join(md for md, _ in sections)
    document = f"{title}\n\n{notes}\n\n{markdown}\n---\n{footer}\n"
    write_text(out_dir / f"{name}.md", document)
    write_text(out_dir / f"{name}.html", html_page(document, title.lstrip("# ")))
    latex = "\n\n".join(tex for _, tex in sections if tex)
    write_text(out_dir / f"{name}.tex", f"% {title.lstrip('# ')}\n% {notes}\n\n{latex}\n"
                                         f"% {footer}\n")
    write_csv(out_dir / f"{name}.csv", summary)


def kinds_section(predictions: pd.DataFrame, rows: list[tuple], columns: list[tuple]) -> str:
    """Frame accuracy per kind of the cells trained on ALL forgeries ("" without any): a
    table per test data set, of the kinds it has."""
    metrics = cell_metrics(predictions[(predictions["forgery"] == "ALL")
                                       & (predictions["depth_input"] != ZERO_DEPTH)])
    if metrics.empty:
        return ""
    summary = over_seeds(metrics)
    tests = list(dict.fromkeys(c[0] for c in columns if c[2] == "ALL"))
    tables = []
    for test in tests:
        tested = metrics[metrics["test_dataset"] == test]
        kinds = [c for c in tested if c.startswith(KIND_ACCURACY) and tested[c].notna().any()]
        shown = [c for c in columns if c[0] == test and c[2] == "ALL"]
        table = to_markdown(wide_table(summary, rows, shown, kinds), shown,
                            {k: k.removeprefix(KIND_ACCURACY) for k in kinds})
        tables.append(f"### Tested on {markdown_text(test)}\n\n{table}" if len(tests) > 1
                      else table)
    return ("## Accuracy per kind (trained on ALL forgeries; frame level; no intervals)\n\n"
            + "\n\n".join(tables) + f"\n\n{KIND_NOTE}.\n")


def one_class_warnings(summary: pd.DataFrame) -> list[str]:
    """One line per column and condition whose test set holds one class."""
    cells = summary[summary["one_class"]].drop_duplicates(
        ["test_dataset", "compression", "forgery", "condition"])
    return [f"{c.test_dataset} {c.compression} {c.forgery} ({c.condition}): the test set has "
            f"{c.real_videos} real and {c.fake_videos} fake videos, one class: no AUC, and no "
            "difference is marked" for c in cells.itertuples()]


def make_tables(predictions: pd.DataFrame, rows: list[tuple], columns: list[tuple],
                depth_modes: list[str], out_dir: Path, *, seed: int = 0) -> pd.DataFrame:
    """Write detection.* and robustness_<mode>.* (md, csv, tex); returns the cell summary. A
    column's compression is shown, and written, as compression_labels gives it."""
    labels = compression_labels(predictions)
    predictions = labelled(predictions, labels)
    columns = [(test, labels[(test, trained)], forgery) for test, trained, forgery in columns]
    conditions = list(pd.unique(predictions["condition"]))
    show_dataset = len({c[0] for c in columns}) > 1
    trained_on = markdown_text(", ".join(sorted(predictions["dataset"].unique())))
    clean = clean_predictions(predictions, depth_modes[0])
    detection = ordered(summarise(clean, seed), rows, columns, conditions)
    title = f"# Detection (trained on {trained_on}; clean test set)"
    kinds = kinds_section(clean, rows, columns)
    write_tables(out_dir, "detection", detection, title=title,
                 sections=[section(detection, f"## {CLEAN_SECTION}", show_dataset), (kinds, "")],
                 notes=NOTE + ".")
    summaries = [detection]
    attacked = summarise(predictions[predictions["condition"] != CLEAN], seed)
    for mode in depth_modes:
        summary = ordered(attacked[attacked["depth_input"].isin([NO_DEPTH, mode, ZERO_DEPTH])],
                          rows, columns, conditions)
        summaries.append(summary)
        write_tables(out_dir, f"robustness_{mode}", summary,
                     title=f"# Robustness to black-box attacks, depth mode `{mode}` (trained on "
                     f"{trained_on}; test set)",
                     sections=attack_sections(summary, mode, show_dataset),
                     notes=f"depth under attack: {DEPTH_MODE_CAPTION[mode]}. {NOTE}.")
    for warning in sorted(set(itertools.chain(*map(one_class_warnings, summaries)))):
        print(f"tables: warning: {warning}", flush=True)  # on the console: the log is a file
    return pd.concat(summaries, ignore_index=True)


def attack_sections(summary: pd.DataFrame, mode: str, show_dataset: bool
                    ) -> list[tuple[str, str]]:
    """One section per attack at the paper's parameters, then one per severity sweep."""
    attacks = summary["condition"].map(lambda c: parse_condition(c)[0])
    swept = summary["condition"].str.contains("@", regex=False)
    fallbacks = mode == "recompute"
    sections = [section(summary[(attacks == a) & ~swept],
                        "## " + PAPER_PARAMETERS_SECTION.format(attack=a), show_dataset,
                        fallbacks=fallbacks)
                for a in pd.unique(attacks[~swept])]
    sections += [section(summary[(attacks == a) & swept], f"## {a} sweep (level: {SWEPT[a]})",
                         show_dataset, level=True, fallbacks=fallbacks)
                 for a in pd.unique(attacks[swept])]
    return sections


def make_tables_from_files(prediction_files: list[Path], *, rows: list[str],
                           test_datasets: list[str], compressions: list[str],
                           forgeries: list[str], depth_modes: list[str], out_dir: Path,
                           seed: int = 0) -> pd.DataFrame:
    """`make_tables` of evaluate's Parquet files: `rows` are model/backbone/depth triples;
    the columns, every (test data set, training compression, forgery) with predictions, in
    the order given."""
    predictions = pd.concat([read_parquet(p) for p in prediction_files], ignore_index=True)
    present = set(map(tuple, predictions[["test_dataset", "compression", "forgery"]]
                      .drop_duplicates().to_numpy()))
    columns = [c for c in itertools.product(test_datasets, compressions, forgeries)
               if c in present]
    return make_tables(predictions, [tuple(r.split("/")) for r in rows], columns, depth_modes,
                       out_dir, seed=seed)
