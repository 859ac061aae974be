"""The detection and robustness tables (Markdown, HTML, CSV, LaTeX) from the column
statistics (depthfake.evaluation.cell_stats), with each table's marks
(depthfake.evaluation.marks); the step `tables` writes them."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pandas as pd

from depthfake.datasets import CLUSTER_UNITS
from depthfake.evaluation.bootstrap import SHOWN
from depthfake.evaluation.cell_stats import clean_predictions, mode_cells
from depthfake.evaluation.conditions import (
    CLEAN,
    PAPER_ATTACKS,
    SEPARATOR,
    SWEPT,
    parse_condition,
)
from depthfake.evaluation.marks import mark
from depthfake.evaluation.metrics import KIND_ACCURACY, compression_labels, labelled
from depthfake.plan.provenance import provenance_line
from depthfake.reporting.text import (
    DEPTH_MODE_CAPTION,
    html_page,
    latex_table,
    long_table,
    markdown_table,
    markdown_text,
    to_markdown,
    wide_table,
)
from depthfake.settings import ESTIMATED, NO_DEPTH, PERTURB, RECOMPUTE, ZERO_DEPTH, MarkSettings
from depthfake.storage.files import read_parquet, write_csv, write_text

# Section titles of the tables (benchmarks/record_demo.py reads the tables by them).
CLEAN_SECTION = "Clean test set"
PAPER_PARAMETERS_SECTION = "{attack} (the paper's parameters)"
# JPG is this project's addition to the paper's attacks.
ADDED_ATTACK_SECTION = "{attack} (this project's addition, not the paper's)"
# A robustness table's first section: its depth mode's clean reference.
CLEAN_REFERENCE_SECTION = {
    RECOMPUTE: "Clean reference (depth re-estimated from the clean crop, landmarks re-fitted)",
    PERTURB: "Clean reference (the stored depth maps)",
}
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


def kinds_section(detection: pd.DataFrame, rows: list[tuple], columns: list[tuple]) -> str:
    """Frame accuracy per kind of the cells trained on ALL forgeries ("" without any): a
    table per test data set, of the kinds it has."""
    cells = detection[(detection["forgery"] == "ALL")
                      & (detection["depth_input"] != ZERO_DEPTH)]
    if cells.empty:
        return ""
    tests = list(dict.fromkeys(c[0] for c in columns if c[2] == "ALL"))
    tables = []
    for test in tests:
        tested = cells[cells["test_dataset"] == test]
        kinds = [c for c in tested if c.startswith(KIND_ACCURACY) and not c.endswith("_sd")
                 and tested[c].notna().any()]
        shown = [c for c in columns if c[0] == test and c[2] == "ALL"]
        table = to_markdown(wide_table(tested, rows, shown, kinds), shown,
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


def notes(table: pd.DataFrame, layouts: dict[str, str], marks: MarkSettings) -> str:
    """What a table's numbers are: the metrics, the intervals with their clusters (named per
    test data set), the differences and which are marked, and why others are not."""
    level = float(table["confidence"].iloc[0])
    resamples = int(table["resamples"].iloc[0])
    tests = list(dict.fromkeys(table["test_dataset"]))
    units = "; ".join(f"{markdown_text(t)}: {CLUSTER_UNITS[layouts[t]]}" for t in tests)
    compared = table[table["baseline_seeds"].notna()]
    comparisons = sum(int(table[f"{m}_p_adjusted"].notna().sum()) for m in SHOWN)
    family = ("Holm's correction over the table's markable comparisons"
              + (f" ({comparisons} here)" if comparisons else "")
              if marks.family_wise == "holm" else "no correction for the table's many "
                                                  "comparisons (statistics.family_wise: none)")
    text = (f"Accuracy at threshold 0.5; video AUC from each video's mean fake probability. "
            f"[{100 * level:g} % CI]: mean over seeds ± a t quantile times its standard error, "
            f"which combines a bootstrap over clusters of related test videos ({resamples:,} "
            f"replicates; clusters: {units}) with the variation between training seeds (with "
            "two or more). Δ vs rgb: paired difference from the RGB baseline of the same "
            "backbone on the same resampled clusters, with its interval; bold where significant "
            f"at {100 * (1 - level):g} % after {family}. Marked only where both models have "
            f"{marks.min_seeds} seeds or more and the test set {marks.min_clusters} clusters or "
            "more with real videos, and as many with fake ones")
    if (table["clusters"] < 2).any():
        text += ". A cell of one cluster has no interval"
    few = table[["real_clusters", "fake_clusters"]].min(axis=1) < marks.min_clusters
    if (few & (table["clusters"] > 1)).any():
        text += (f". Intervals from fewer than {marks.min_clusters} clusters of a class are "
                 "rough: a bootstrap over so few has few distinct outcomes")
    reasons = Counter(compared["unmarked"][compared["unmarked"] != ""])
    if reasons and not comparisons:
        text += f". Nothing in this table can be marked: {_reasons(reasons)}"
    elif reasons:
        text += f". Not markable: {_reasons(reasons)}"
    return text + ". Depth input zeros: the model with its depth maps replaced by zeros"


def _reasons(reasons: Counter) -> str:
    return ", ".join(f"{count} cell{'s' * (count != 1)} with {reason}"
                     for reason, count in reasons.most_common())


def make_tables(summary: pd.DataFrame, rows: list[tuple], columns: list[tuple],
                depth_modes: list[str], out_dir: Path, *, layouts: dict[str, str],
                marks: MarkSettings) -> pd.DataFrame:
    """Write detection.* and robustness_<mode>.* (md, html, csv, tex) from the column
    statistics of every column; `layouts`: each test data set's layout (it names the
    clusters). Returns the tables' cells with their marks. A column's compression is shown,
    and written, as compression_labels gives it."""
    labels = compression_labels(summary)
    summary = labelled(summary, labels)
    columns = [(test, labels[(test, trained)], forgery) for test, trained, forgery in columns]
    conditions = list(pd.unique(summary["condition"]))
    show_dataset = len({c[0] for c in columns}) > 1
    trained_on = markdown_text(", ".join(sorted(summary["dataset"].unique())))
    detection = mark(ordered(clean_predictions(summary), rows, columns, conditions), marks)
    title = f"# Detection (trained on {trained_on}; clean test set)"
    write_tables(out_dir, "detection", detection, title=title,
                 sections=[section(detection, f"## {CLEAN_SECTION}", show_dataset),
                           (kinds_section(detection, rows, columns), "")],
                 notes=notes(detection, layouts, marks) + ".")
    tables = [detection]
    for mode in depth_modes:
        table = mark(ordered(mode_cells(summary, mode), rows, columns, conditions), marks)
        tables.append(table)
        write_tables(out_dir, f"robustness_{mode}", table,
                     title=f"# Robustness to black-box attacks, depth mode `{mode}` (trained on "
                     f"{trained_on}; test set)",
                     sections=attack_sections(table, mode, show_dataset),
                     notes=f"depth under attack: {DEPTH_MODE_CAPTION[mode]}. "
                           f"{notes(table, layouts, marks)}.")
    for warning in sorted(set(itertools.chain(*map(one_class_warnings, tables)))):
        print(f"tables: warning: {warning}", flush=True)  # on the console: the log is a file
    return pd.concat(tables, ignore_index=True)


def attack_sections(summary: pd.DataFrame, mode: str, show_dataset: bool
                    ) -> list[tuple[str, str]]:
    """The mode's clean reference, one section per attack at its standard parameters (the
    paper's, and JPG's), then one per severity sweep."""
    clean = summary["condition"] == CLEAN
    attacks = summary["condition"].map(lambda c: parse_condition(c)[0])
    swept = summary["condition"].str.contains(SEPARATOR, regex=False)
    fallbacks = mode == RECOMPUTE
    sections = [section(summary[clean], f"## {CLEAN_REFERENCE_SECTION[mode]}", show_dataset,
                        fallbacks=fallbacks)]
    standard = ~swept & ~clean  # an attack at its standard parameters
    sections += [section(summary[(attacks == a) & standard],
                         "## " + (PAPER_PARAMETERS_SECTION if a in PAPER_ATTACKS
                                  else ADDED_ATTACK_SECTION).format(attack=a), show_dataset,
                         fallbacks=fallbacks)
                 for a in pd.unique(attacks[standard])]
    sections += [section(summary[(attacks == a) & swept], f"## {a} sweep (level: {SWEPT[a]})",
                         show_dataset, level=True, fallbacks=fallbacks)
                 for a in pd.unique(attacks[swept])]
    return sections


def make_tables_from_files(statistics_files: list[Path], *, rows: list[str],
                           test_datasets: list[str], compressions: list[str],
                           forgeries: list[str], depth_modes: list[str], out_dir: Path,
                           layouts: dict[str, str], marks: MarkSettings) -> pd.DataFrame:
    """`make_tables` of column_statistics' Parquet files: `rows` are model/backbone/depth
    triples; the columns, every (test data set, training compression, forgery) with cells,
    in the order given."""
    summary = pd.concat([read_parquet(p) for p in statistics_files], ignore_index=True)
    present = set(map(tuple, summary[["test_dataset", "compression", "forgery"]]
                      .drop_duplicates().to_numpy()))
    columns = [c for c in itertools.product(test_datasets, compressions, forgeries)
               if c in present]
    return make_tables(summary, [tuple(r.split("/")) for r in rows], columns, depth_modes,
                       out_dir, layouts=layouts, marks=marks)
