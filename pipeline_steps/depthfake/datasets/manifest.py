"""Any labelled video list: a manifest (CSV or Parquet) with one row per video.

Columns: `path` (relative to the data set root, or absolute), `label` (0 real, 1 fake),
`kind` ('real' or the forgery's name), `split` (train, val, test, or empty: assigned by
group in the proportions `split_fractions`) and `group` (who the video shows, such as the
person; several joined by ';'), plus an optional `compression`. A group never crosses splits.
A video's cluster (the related videos the statistics resample together) is the connected
component of groups shown together: videos that share a group, directly or through others.
A video's id is the shortest suffix of its path (by folders, extension dropped) that no other
video of its kind and compression ends with. Every problem of a manifest is named in one
error, each at its line of the file (CSV: the physical line, header and `#` comment lines
counted; Parquet: its row).
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Collection, Iterator
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from depthfake.datasets.base import (
    EXCLUDED,
    SPLITS,
    Video,
    folders_of,
    linked_people,
    split_groups,
    split_of,
)
from depthfake.settings import NO_COMPRESSION, REAL_KIND, DatasetSource

COLUMNS = ("path", "label", "kind", "split", "group")
COMPRESSIONS = ("raw", "c23", "c40", "")
# Problems named per error, and lines per problem, before the rest are counted or cut.
SHOWN = 50
EXAMPLES = 5
# A manifest row: its number in the file (see `Manifest.unit`) and its values as text.
Row = tuple[int, dict[str, str]]
# A problem: the number of the line (or row) it is on, and what is wrong there.
Problem = tuple[int, str]


class Manifest(NamedTuple):
    """A manifest as read: its file, what its numbers count ('line' of a CSV, 'row' of a
    Parquet file), its valid videos with their numbers, and its problems."""

    path: Path
    unit: str
    videos: list[tuple[int, Video]]
    problems: list[Problem]


def _csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """A CSV file's records, each with the physical line it starts on; `#` comment lines and
    blank lines are skipped."""
    starts: list[int] = []  # the number of every line handed to the reader, in order
    with path.open(newline="") as handle:
        def lines() -> Iterator[str]:
            for number, line in enumerate(handle, 1):
                if not line.startswith("#"):
                    starts.append(number)
                    yield line

        first = 0
        for record in csv.reader(lines()):  # the reader takes a line only when it needs one
            if record:
                yield starts[first], record
            first = len(starts)


def read_rows(path: Path) -> tuple[str, list[Row], list[Problem]]:
    """The manifest's unit, its rows as text, and a problem per row without one value per
    column; an unreadable file or a missing column is one error naming the file."""
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            unit, header = "row", table.column_names
            records = [(n, ["" if v is None else str(v) for v in row.values()])
                       for n, row in enumerate(table.to_pylist(), 1)]
        else:
            unit, records = "line", list(_csv_records(path))
            header = records.pop(0)[1] if records else []
    except Exception as err:  # any reader error means the same thing to the user
        raise ValueError(f"{path}: not a readable manifest ({type(err).__name__}: {err})"
                         ) from None
    if missing := [c for c in COLUMNS if c not in header]:
        raise ValueError(f"{path}: the manifest lacks the column(s) {missing}; it needs "
                         f"{list(COLUMNS)} (and may have 'compression')")
    rows = [(n, dict(zip(header, values, strict=True))) for n, values in records
            if len(values) == len(header)]
    wrong = [(n, f"{len(values)} values where the header has {len(header)}")
             for n, values in records if len(values) != len(header)]
    return unit, rows, wrong


def groups_of(row: dict[str, str]) -> tuple[str, ...]:
    """The row's groups: `group` split on ';', trimmed, without empties, sorted."""
    return tuple(sorted({g.strip() for g in row["group"].split(";")} - {""}))


def compression_of(row: dict[str, str]) -> str:
    """The row's compression: its own, or NO_COMPRESSION where it gives none."""
    return row.get("compression") or NO_COMPRESSION


def _components(path: str) -> tuple[str, ...]:
    """A path's folders and file name without its extension (no root)."""
    parts = [part for part in PurePosixPath(path).parts if "/" not in part]
    return (*parts[:-1], PurePosixPath(parts[-1]).stem) if parts else ()


def video_ids(paths: list[str]) -> list[str]:
    """Each path's id: its shortest suffix (by components, extension dropped) that no other
    path ends with and that is no folder of another id (the HDF5 names would clash; where the
    folder is a whole path, the other id grows instead); a path that others end with keeps all
    of itself."""
    parts = [_components(path) for path in paths]
    lengths = [1] * len(parts)
    while True:
        ids = ["/".join(p[-n:]) for p, n in zip(parts, lengths, strict=True)]
        counts = Counter(ids)
        folders = {folder for vid in ids for folder in folders_of(vid)}
        whole = {vid for vid, p, n in zip(ids, parts, lengths, strict=True) if n == len(p)}
        longer = [i for i, vid in enumerate(ids) if lengths[i] < len(parts[i]) and (
            counts[vid] > 1 or vid in folders or not whole.isdisjoint(folders_of(vid)))]
        if not longer:
            return ids
        for i in longer:
            lengths[i] += 1


def _row_problems(row: dict[str, str]) -> list[str]:
    """What is wrong with the values of one row."""
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
    if not groups_of(row) or not _components(row["path"]):
        problems.append("path and group must not be empty")
    return problems


def _at(unit: str, numbers: list[int]) -> str:
    """`line 3`, or `lines 3, 7, ...` (the first EXAMPLES)."""
    if len(numbers) == 1:
        return f"{unit} {numbers[0]}"
    return f"{unit}s " + ", ".join(map(str, numbers[:EXAMPLES])) + (
        ", ..." if len(numbers) > EXAMPLES else "")


def _ids(unit: str, rows: list[Row]) -> tuple[dict[int, str], list[Problem]]:
    """Each row's video id (video_ids among the rows of its kind and compression), and a
    problem per path listed twice and per id that still clashes (paths that differ only in
    their extension, or an id that is a whole path and a folder of another id)."""
    problems, first = [], {}
    by_slice: dict[tuple[str, str], list[Row]] = {}
    for number, row in rows:
        if (path := PurePosixPath(row["path"])) in first:
            problems.append((number, f"path {row['path']!r} repeats {unit} {first[path]}"))
        else:
            first[path] = number
            by_slice.setdefault((row["kind"], compression_of(row)), []).append((number, row))
    ids = {}
    for part in by_slice.values():
        listed: dict[str, Row] = {}
        for (number, row), vid in zip(part, video_ids([r["path"] for _, r in part]),
                                      strict=True):
            ids[number] = vid
            if vid in listed:
                other, values = listed[vid]
                problems.append((number, f"path {row['path']!r} and {values['path']!r} "
                                         f"({unit} {other}) differ only in their extension"))
            listed.setdefault(vid, (number, row))
        for vid, (number, _) in listed.items():
            for folder in folders_of(vid):
                if folder in listed:
                    other, values = listed[folder]
                    problems.append((other, f"the id {folder!r} of {values['path']!r} is a "
                                            f"folder of the id {vid!r} of {unit} {number}"))
    return ids, problems


def _splits(unit: str, rows: list[Row], fractions: tuple[float, float, float]
            ) -> tuple[dict[str, str], list[Problem]]:
    """Every group's split: the one its rows give, or assigned (EXCLUDED where its rows give
    two); and a problem per group with two, naming the lines of each."""
    given: dict[str, dict[str, list[int]]] = {}
    for number, row in rows:
        for group in groups_of(row):
            splits = given.setdefault(group, {})
            if row["split"] in SPLITS:  # another value is the row's own problem
                splits.setdefault(row["split"], []).append(number)
    problems = [(min(min(lines) for lines in splits.values()),
                 f"group {group!r} is in more than one split: "
                 + ", ".join(f"{split} ({_at(unit, lines)})" for split, lines in splits.items()))
                for group, splits in given.items() if len(splits) > 1]
    assigned = split_groups([g for g, splits in given.items() if not splits], fractions)
    return {g: assigned[g] if not splits else next(iter(splits)) if len(splits) == 1
            else EXCLUDED for g, splits in given.items()}, problems


def read_manifest(source: DatasetSource) -> Manifest:
    """A manifest's videos (rows without a problem) and its problems, by line; repeated paths
    and groups in two splits are looked for among the rows with other problems too."""
    path = Path(source.manifest)
    unit, rows, problems = read_rows(path)
    named = [(number, row) for number, row in rows if _components(row["path"])]
    ids, repeated = _ids(unit, named)
    splits, crossing = _splits(unit, named, tuple(source.split_fractions))
    videos = []
    for number, row in rows:
        if found := _row_problems(row):
            problems.append((number, "; ".join(found)))
        elif number in ids:  # not a repeated path
            # A row that gives its split keeps it; its groups' splits agree or are named.
            groups = groups_of(row)
            split = row["split"] or split_of(groups, splits)
            videos.append((number, Video(ids[number], row["kind"], int(row["label"]),
                                         compression_of(row), split,
                                         str(Path(source.root) / row["path"]), groups)))
    # Excluded videos join people of different splits: they link no cluster.
    clusters = linked_people(v.groups for _, v in videos if v.split != EXCLUDED)
    videos = [(number, v._replace(cluster=clusters.get(v.groups[0], "")))
              for number, v in videos]
    return Manifest(path, unit, videos, problems + repeated + crossing)


def problem_report(manifest: Manifest, problems: list[Problem]) -> str:
    """Every problem (the first SHOWN) in line order, one line each, under the file's name."""
    more = len(problems) - SHOWN
    return (f"{manifest.path} has {len(problems)} problem(s)"
            + (f", the first {SHOWN} shown" if more > 0 else "") + ":"
            + "".join(f"\n      {manifest.unit} {number}: {text}"
                      for number, text in sorted(problems)[:SHOWN]))


def manifest_problems(source: DatasetSource, on_disk: Collection[tuple[str, str]]) -> str | None:
    """Everything wrong with a manifest as one message (None: nothing): its problems, and
    the videos of the (compression, kind) slices `on_disk` that are in a split but not
    files, each at its line."""
    try:
        manifest = read_manifest(source)
    except ValueError as err:
        return str(err)
    absent = [(number, f"{video.path} is not a file") for number, video in manifest.videos
              if (video.compression, video.kind) in on_disk and video.split != EXCLUDED
              and not os.path.isfile(video.path)]
    problems = manifest.problems + absent
    return problem_report(manifest, problems) if problems else None


def list_manifest_videos(source: DatasetSource, kind: str, compression: str) -> list[Video]:
    """The manifest's videos of one kind and compression, sorted by id; any problem of the
    manifest is an error naming them all."""
    manifest = read_manifest(source)
    if manifest.problems:
        raise ValueError(problem_report(manifest, manifest.problems))
    return sorted(video for _, video in manifest.videos
                  if video.kind == kind and video.compression == compression)
