"""The committed records behind the generated pages: docs/records/<kind>.jsonl, one JSON
object per line, each with the machine it was measured on and the code it ran. Light: no
torch, so the pages render without it."""

from __future__ import annotations

import json
import os
import platform
import re
from pathlib import Path

RECORDS = Path(__file__).resolve().parents[1] / "docs" / "records"


def cpu_model() -> str:
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or platform.machine()


def machine() -> str:
    """CPU model, core count, operating system."""
    return f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()}"


def append_record(path: Path, record: dict) -> None:
    """Add `record` as the last line of `path` (made with its folder if need be)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as file:
        file.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"recorded in {path}")


def read_records(path: Path) -> list[dict]:
    """Every record of `path`, oldest first; none where there is no such file."""
    if not path.exists():
        return []
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    records = []
    for number, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not a JSON record ({error.msg})") from error
    return records
