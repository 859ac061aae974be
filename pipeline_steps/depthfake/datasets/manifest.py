"""Any labelled video list: a manifest (CSV or Parquet) with one row per video.

Columns: `path` (relative to the data set root, or absolute), `label` (0 real, 1 fake),
`kind` ('real' or the forgery's name), `split` (train, val, test, or empty: assigned by
group in the proportions `split_fractions`) and `group` (who the video shows, such as the
person; several joined by ';'), plus an optional `compression`. A group never crosses splits.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from depthfake.datasets.base import SPLITS, Video, split_groups, split_of
from depthfake.settings import NO_COMPRESSION, REAL_KIND, DatasetSource

COLUMNS = ("path", "label", "kind", "split", "group")
COMPRESSIONS = ("raw", "c23", "c40", "")
# Groups named per error before "...".
EXAMPLES = 3


def read_rows(path: str | os.PathLike) -> list[dict[str, str]]:
    """The manifest's rows as text, or one error naming the file and what is wrong."""
    path = Path(path)
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            rows = [{k: "" if v is None else str(v) for k, v in row.items()}
                    for row in pq.read_table(path).to_pylist()]
        else:
            with path.open(newline="") as handle:
                rows = list(csv.DictReader(row for row in handle if not row.startswith("#")))
    except Exception as err:  # any reader error means the same thing to the user
        raise ValueError(f"{path}: not a readable manifest ({type(err).__name__}: {err})"
                         ) from None
    if missing := [c for c in COLUMNS if rows and c not in rows[0]]:
        raise ValueError(f"{path}: the manifest lacks the column(s) {missing}; it needs "
                         f"{list(COLUMNS)} (and may have 'compression')")
    for number, row in enumerate(rows, 1):
        if None in row or None in row.values():  # csv's marks of a row too long or too short
            raise ValueError(f"{path}, row {number}: not one value per column")
    return rows


def groups_of(row: dict[str, str]) -> tuple[str, ...]:
    """The row's groups: `group` split on ';', trimmed, without empties, sorted."""
    return tuple(sorted({g.strip() for g in row["group"].split(";")} - {""}))


def _checked(path: Path, number: int, row: dict[str, str]) -> dict[str, str]:
    problems = []
    if row["label"] not in ("0", "1"):
        problems.append(f"label {row['label']!r} is not 0 or 1")
    elif (row["label"] == "0") != (row["kind"] == REAL_KIND):
        problems.append(f"label {row['label']} does not go with kind {row['kind']!r} (reals "
                        f"have kind '{REAL_KIND}', fakes their forgery's name)")
    if row["split"] not in ("", *SPLITS):
        problems.append(f"split {row['split']!r} is not one of {SPLITS} or empty")
    if (row.get("compression") or "") not in COMPRESSIONS:
        problems.append(f"compression {row['compression']!r} is not raw, c23, c40 or empty")
    if not groups_of(row) or not row["path"].strip():
        problems.append("path and group must not be empty")
    if problems:
        raise ValueError(f"{path}, row {number}: {'; '.join(problems)}")
    return row


def manifest_splits(path: Path, rows: list[dict[str, str]],
                    fractions: tuple[float, float, float]) -> dict[str, str]:
    """Every group's split: the one its rows give, or assigned; an error if it has two."""
    given: dict[str, set[str]] = {}
    for row in rows:
        for group in groups_of(row):
            given.setdefault(group, set()).update({row["split"]} - {""})
    if crossing := sorted(g for g, splits in given.items() if len(splits) > 1):
        raise ValueError(f"{path}: {len(crossing)} group(s) appear in more than one split ("
                         + ", ".join(f"{g}: {sorted(given[g])}" for g in crossing[:EXAMPLES])
                         + (", ..." if len(crossing) > EXAMPLES else "") + ")")
    assigned = split_groups([g for g, splits in given.items() if not splits], fractions)
    return {g: splits.pop() if splits else assigned[g] for g, splits in given.items()}


def list_manifest_videos(source: DatasetSource, kind: str, compression: str) -> list[Video]:
    """The manifest's videos of one kind and compression, sorted by id (the path without its
    extension)."""
    path = Path(source.manifest)
    rows = [_checked(path, n, row) for n, row in enumerate(read_rows(path), 1)]
    splits = manifest_splits(path, rows, tuple(source.split_fractions))
    videos = []
    for row in rows:
        if row["kind"] != kind or (row.get("compression") or NO_COMPRESSION) != compression:
            continue
        groups = groups_of(row)
        # A row that gives its split keeps it; the groups' splits agree with it by now.
        split = row["split"] or split_of(groups, splits)
        videos.append(Video(str(Path(row["path"]).with_suffix("")), kind, int(row["label"]),
                            compression, split, str(Path(source.root) / row["path"]), groups))
    return sorted(videos)
