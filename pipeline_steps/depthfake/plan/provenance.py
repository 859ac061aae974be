"""Where a result came from: code version, resolved config, package versions."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# The workflow sets this to the hash of the resolved config before any job starts.
CONFIG_HASH_VARIABLE = "DEPTHFAKE_CONFIG_SHA"
PACKAGES = ("depthfake", "torch", "timm", "numpy", "opencv-python", "dlib-bin", "h5py", "pandas",
            "pyarrow", "safetensors", "transformers", "scikit-learn", "pydantic", "snakemake")


def config_hash(resolved: dict) -> str:
    """A short, stable hash of a resolved config (defaults filled in)."""
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def code_version() -> str:
    """The git commit of this code (`-dirty` with uncommitted changes outside docs/, whose
    pages, records and screenshot no result depends on), or, outside a git checkout, the
    installed package version."""
    here = Path(__file__).parent
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=here, check=True,
                                capture_output=True, text=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                                 ":/", ":(top,exclude)docs"],
                                cwd=here, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return f"depthfake {_version('depthfake')}"
    return commit + ("-dirty" if status.strip() else "")


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


@functools.cache
def provenance() -> dict:
    """Code version, config hash (null outside the workflow), Python and package versions."""
    return {
        "code": code_version(),
        "config_sha": os.environ.get(CONFIG_HASH_VARIABLE),
        "python": platform.python_version(),
        "packages": {p: v for p in PACKAGES if (v := _version(p))},
    }


def origin_line() -> str:
    """The code version and config hash, for figure footers."""
    record = provenance()
    config = record["config_sha"] or "none (run outside the workflow)"
    return f"code {record['code']}; config {config}"


def provenance_line() -> str:
    """One line for table footers and CSV headers."""
    record = provenance()
    packages = ", ".join(f"{p} {v}" for p, v in record["packages"].items())
    return f"{origin_line()}; Python {record['python']}; {packages}"
