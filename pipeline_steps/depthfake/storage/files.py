"""Reading and writing result files: atomically, with provenance, with errors naming the file."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from depthfake.plan.provenance import provenance, provenance_line
from depthfake.storage.atomic import atomic_output

PROVENANCE_KEY = b"depthfake.provenance"


class UnreadableFileError(RuntimeError):
    """A file that exists but cannot be read (truncated, corrupt, not what it should be)."""


def unreadable(path: str | os.PathLike, what: str, err: BaseException) -> UnreadableFileError:
    """The error for a broken input file: which file, what it should be, and what to do."""
    return UnreadableFileError(
        f"{path} is not a readable {what} ({type(err).__name__}: {err}). It is probably "
        "truncated or was overwritten; delete it and rerun, and the workflow rebuilds it.")


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_output(path) as tmp:
        tmp.write_text(text)


def write_csv(path: str | os.PathLike, table: pd.DataFrame) -> None:
    """A CSV whose first line is a `#` comment with the provenance (read it with `read_csv`)."""
    body = table.to_csv(index=False, float_format="%.6g")
    write_text(path, f"# {provenance_line()}\n{body}")


def read_csv(path: str | os.PathLike, **options) -> pd.DataFrame:
    """A CSV written by `write_csv` (its provenance line skipped; `#` in values is kept)."""
    with open(path) as handle:
        first = handle.readline()
    return pd.read_csv(path, skiprows=1 if first.startswith("#") else 0, **options)


def write_parquet(path: str | os.PathLike, table: pd.DataFrame) -> None:
    """A Parquet file with the provenance in its key-value metadata."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    metadata = {**(arrow.schema.metadata or {}), PROVENANCE_KEY: json.dumps(provenance())}
    with atomic_output(path) as tmp:
        pq.write_table(arrow.replace_schema_metadata(metadata), tmp)


def read_parquet(path: str | os.PathLike) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (OSError, pa.ArrowException) as err:
        raise unreadable(path, "Parquet file", err) from err


def parquet_provenance(path: str | os.PathLike) -> dict:
    return json.loads(pq.read_schema(path).metadata[PROVENANCE_KEY])


def read_json(path: str | os.PathLike, what: str = "JSON file") -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise unreadable(path, what, err) from err


def write_json(path: str | os.PathLike, record: dict) -> None:
    write_text(path, json.dumps(record, indent=2))


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(1 << 24):
            digest.update(block)
    return digest.hexdigest()
