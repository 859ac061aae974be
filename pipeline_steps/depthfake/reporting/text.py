"""Tables of the cell statistics (depthfake.evaluation.cell_stats), as Markdown, LaTeX
(booktabs) and plain text cells, and the wide per-kind accuracy table.

A long table has one line per cell: its column (test data set, compression, forgery), its
model (model, backbone, depth backend, depth input), its real and fake video counts and its
clusters, and per shown metric the estimate (mean ± standard deviation over seeds, with
several) with its interval, then the difference from the RGB baseline with its interval, bold
where it is marked (depthfake.evaluation.marks). Accuracies are in %.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import markdown
import pandas as pd

from depthfake.evaluation.cell_stats import SHOWN
from depthfake.evaluation.metrics import COLUMN, ROW
from depthfake.reporting.style import PAGE_STYLE

LABELS = {"frame_accuracy": "ACC %", "frame_auc": "AUC", "video_auc": "video AUC"}
# The depth input column: what a model's depth stream read (estimated: the stored maps).
DEPTH_INPUTS = {"none": "-", "estimated": "estimated", "recompute": "recomputed",
                "perturb": "perturbed", "zero": "zeros"}
# What each depth mode feeds a depth-reading model under attack (the robustness tables' notes).
DEPTH_MODE_CAPTION = {
    "recompute": "`recompute` mode: re-estimated from the attacked crop (rounded to uint8) by "
                 "the model's depth backend, landmarks re-fitted; faces whose landmarks were "
                 "lost keep the fallback map (all background), counted under depth fallbacks",
    "perturb": "`perturb` mode (the paper's): the same operation, with the same random draws, "
               "applied to the stored depth map",
}
# A table cell: its text and whether it is bold.
Cell = tuple[str, bool]


def wide_table(summary: pd.DataFrame, rows: list[tuple], columns: list[tuple],
               metrics: Sequence[str]) -> pd.DataFrame:
    """One row per (model, backbone, depth); one column per (metric or its `_sd`, test data
    set, compression, forgery), from summary rows (depthfake.evaluation.cell_stats)."""
    values = [v for m in metrics for v in (m, f"{m}_sd")]
    table = summary.pivot_table(index=ROW, columns=COLUMN, values=values, dropna=False)
    return table.reindex(index=pd.MultiIndex.from_tuples(rows, names=ROW),
                         columns=pd.MultiIndex.from_tuples([(v, *c) for c in columns
                                                            for v in values]))


def _scaled(metric: str) -> tuple[int, int]:
    """(scale, digits) of a metric's text: accuracies in %, to 2 decimals; others to 3."""
    return (100, 2) if "accuracy" in metric else (1, 3)


def _format(metric: str, mean: float, std: float) -> str:
    if pd.isna(mean):
        return "n/a"
    scale, digits = _scaled(metric)
    return f"{scale * mean:.{digits}f}" + ("" if pd.isna(std) else f" ± {scale * std:.{digits}f}")


def to_markdown(table: pd.DataFrame, columns: list[tuple], labels: dict[str, str]) -> str:
    """A wide Markdown table (wide_table) of the metrics in labels (name -> header)."""
    show_dataset = len({c[0] for c in columns}) > 1
    header = [*ROW] + [" ".join([*(c[:1] if show_dataset else []), *c[1:], label])
                       for c in columns for label in labels.values()]
    rows = [[*row_key, *(_format(metric, row[(metric, *column)],
                                 row[(f"{metric}_sd", *column)])
                         for column in columns for metric in labels)]
            for row_key, row in table.iterrows()]
    return markdown_table(header, [[(str(text), False) for text in row] for row in rows])


def estimate_text(cell: pd.Series, metric: str) -> str:
    """`mean [low, high]`, with `± sd` after the mean over several seeds; n/a without one."""
    if pd.isna(cell[metric]):
        return "n/a"
    scale, digits = _scaled(metric)
    text = f"{scale * cell[metric]:.{digits}f}"
    if cell["seeds"] > 1 and pd.notna(cell[f"{metric}_sd"]):
        text += f" ± {scale * cell[f'{metric}_sd']:.{digits}f}"
    if pd.notna(cell[f"{metric}_low"]):
        text += (f" [{scale * cell[f'{metric}_low']:.{digits}f}, "
                 f"{scale * cell[f'{metric}_high']:.{digits}f}]")
    return text


def delta_text(cell: pd.Series, metric: str) -> Cell:
    """`+delta [low, high]` against the baseline, bold where marked; "-" without one."""
    if pd.isna(cell[f"{metric}_delta"]):
        return "-", False
    scale, digits = _scaled(metric)
    low, high = (cell[f"{metric}_delta_{end}"] for end in ("low", "high"))
    interval = "" if pd.isna(low) else f" [{scale * low:+.{digits}f}, {scale * high:+.{digits}f}]"
    return f"{scale * cell[f'{metric}_delta']:+.{digits}f}{interval}", bool(
        cell[f"{metric}_significant"])


def videos_text(cell: pd.Series) -> str:
    """Real and fake videos, with the all-fake rate (the accuracy of always saying fake)."""
    text = f"{int(cell['real_videos'])} / {int(cell['fake_videos'])}"
    if cell["one_class"]:
        return text + " (one class)"
    return f"{text} (all-fake {100 * cell['frame_fake_share']:.0f} %)"


def clusters_text(cell: pd.Series) -> str:
    """The clusters of the cell's test set with a real video and with a fake one."""
    return f"{int(cell['real_clusters'])} / {int(cell['fake_clusters'])}"


def fallback_text(cell: pd.Series) -> str:
    """Faces whose re-estimated depth fell back, of all faces ("-" where none is recomputed)."""
    if cell["depth_input"] != "recompute":
        return "-"
    return f"{int(cell['depth_lost'])} of {int(cell['faces'])}"


def long_table(summary: pd.DataFrame, show_dataset: bool, level: bool = False,
               fallbacks: bool = False) -> tuple[list[str], list[list[Cell]]]:
    """Header and cells of a long table of summary rows, in their order; `level` adds the
    sweep level, `fallbacks` the faces whose re-estimated depth fell back."""
    confidence = f"{100 * summary['confidence'].iloc[0]:g} % CI"
    header = [*(["test"] if show_dataset else []), "compression", "forgery",
              *(["level"] if level else []), *ROW, "depth input", "real / fake videos",
              "clusters real / fake", *(["depth fallbacks"] if fallbacks else [])]
    for metric in SHOWN:
        header += [f"{LABELS[metric]} [{confidence}]", f"Δ {LABELS[metric]} vs rgb"]
    rows = []
    for _, cell in summary.iterrows():
        texts = [*([cell["test_dataset"]] if show_dataset else []), cell["compression"],
                 cell["forgery"], *([cell["condition"].partition("@")[2]] if level else []),
                 *(cell[c] for c in ROW), DEPTH_INPUTS[cell["depth_input"]], videos_text(cell),
                 clusters_text(cell), *([fallback_text(cell)] if fallbacks else [])]
        row: list[Cell] = [(str(t), False) for t in texts]
        for metric in SHOWN:
            row += [(estimate_text(cell, metric), False), delta_text(cell, metric)]
        rows.append(row)
    return header, rows


# Markdown's inline markup and table column breaks, backslash-escaped: `\`, `*`, `|`; a `]`
# that would close a link or image (before `(`, `[` or `:`); an underscore but one between
# letters or digits (as in 102_100, no markup to Markdown).
MARKDOWN_MARKUP = re.compile(r"([\\`*|]|\](?=[(\[:])|(?<![^\W_])_|_(?![^\W_]))")
# Characters HTML (and GitHub's Markdown) reads as markup: written as character references.
HTML_REFERENCES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "~": "&#126;"}


def markdown_text(value: object) -> str:
    """A value (a video id, a path, a reason) as Markdown that reads back as exactly its text:
    markup escaped, line breaks as spaces. Every value that enters a document goes through it."""
    text = " ".join(str(value).splitlines())
    text = re.sub("[&<>~]", lambda match: HTML_REFERENCES[match[0]], text)
    return MARKDOWN_MARKUP.sub(r"\\\1", text)


def markdown_table(header: list[str], rows: list[list[Cell]]) -> str:
    """A Markdown table of text cells, each escaped (markdown_text), bold where marked."""
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    body = [line([f"**{markdown_text(text)}**" if bold else markdown_text(text)
                  for text, bold in row]) for row in rows]
    return "\n".join([line(list(map(markdown_text, header))), "|" + "---|" * len(header), *body])


LATEX_ESCAPES = {"_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "±": r"$\pm$",
                 "Δ": r"$\Delta$"}


def latex_text(text: str) -> str:
    return re.sub("|".join(map(re.escape, LATEX_ESCAPES)), lambda m: LATEX_ESCAPES[m[0]], text)


def latex_table(header: list[str], rows: list[list[Cell]], caption: str) -> str:
    """A booktabs tabular of the table, its caption as a comment line above it."""
    def line(cells: list[Cell]) -> str:
        return " & ".join(rf"\textbf{{{latex_text(t)}}}" if bold else latex_text(t)
                          for t, bold in cells) + r" \\"

    return "\n".join([f"% {caption}", rf"\begin{{tabular}}{{{'l' * len(header)}}}", r"\toprule",
                      line([(h, False) for h in header]), r"\midrule",
                      *(line(row) for row in rows), r"\bottomrule", r"\end{tabular}"])


def plain_markdown(table: pd.DataFrame, digits: int = 3) -> str:
    """A Markdown table of a flat DataFrame, its columns as headers; floats to `digits`."""
    def text(value: object) -> str:
        if isinstance(value, float):
            return "n/a" if pd.isna(value) else f"{value:.{digits}g}"
        return str(value)

    return markdown_table(list(map(str, table.columns)),
                          [[(text(value), False) for value in row]
                           for row in table.itertuples(index=False)])




# What python-markdown would turn into elements other than text structure: raw HTML, links
# and images.
UNSAFE_MARKDOWN = {"preprocessors": ["html_block"],
                   "inlinePatterns": ["html", "link", "image_link", "reference",
                                      "image_reference", "short_reference", "short_image_ref",
                                      "autolink", "automail"]}


def html_page(text: str, title: str) -> str:
    """A standalone HTML page of a Markdown document (tables, bold, lists), for the Snakemake
    report, which shows HTML but not Markdown or CSV.

    The one place documents become HTML: raw HTML in the text stays text and no link or image
    is made, so whatever a value holds, the page has only the document's structure."""
    converter = markdown.Markdown(extensions=["tables"], output_format="html")
    for registry, names in UNSAFE_MARKDOWN.items():
        for name in names:
            getattr(converter, registry).deregister(name)
    body = converter.convert(text)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
            f"</title><style>{PAGE_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n")
