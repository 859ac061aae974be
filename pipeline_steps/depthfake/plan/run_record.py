"""Which config files made the results in a working folder, so that `snakemake --report`
reports that run. Standard library only: the workflow imports it."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from depthfake.storage.atomic import atomic_output

# Written when a run starts (the workflow's onstart), relative to the working folder.
RUN_RECORD = "results/run.json"


class ReportConfigError(ValueError):
    """A report asked of another config than the one the results were made with."""


def building_report(argv: Sequence[str]) -> bool:
    """Whether this Snakemake command line builds a report."""
    return any(arg == "--report" or arg.startswith("--report=") for arg in argv)


def record_run(path: str | os.PathLike, configfiles: Sequence[str], config_sha: str) -> None:
    """Record the run's --configfile files (absolute; none: the workflow's default) and the
    hash of its resolved config."""
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps({"configfiles": [os.path.abspath(f) for f in configfiles],
                                   "config_sha": config_sha}, indent=1))


def report_configfiles(path: str | os.PathLike, given: Sequence[str],
                       config_sha: Callable[[Sequence[str]], str]) -> list[str]:
    """The config files a report must add to this command's config to be of the recorded
    run: none where the configs agree (or no run is recorded); the run's files where this
    command names none. `config_sha(files)` is the hash of this command's config with `files`
    merged on top. Any other case is a ReportConfigError saying which files to pass."""
    if not Path(path).is_file():
        return []
    run = json.loads(Path(path).read_text())
    if config_sha([]) == run["config_sha"]:
        return []
    files = run["configfiles"]
    made = (f"{path}: the results were made with config {run['config_sha']} (from "
            f"{' '.join(map(os.path.relpath, files)) or 'the default config.yaml'})")
    if given:
        command = "snakemake --report report.html" + (
            f" --configfile {' '.join(map(os.path.relpath, files))}" if files else "")
        raise ReportConfigError(f"{made}; --configfile {' '.join(given)} gives config "
                                f"{config_sha([])}. Report that run with: {command}")
    if files and all(map(os.path.isfile, files)) and config_sha(files) == run["config_sha"]:
        return files
    raise ReportConfigError(f"{made}, which have changed since (or are gone): rerun the "
                            "workflow with them, then build the report")
