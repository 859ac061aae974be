"""What every step script shares: logging to the rule's log, clean termination, a thread
cap, its command line. Standard library only: the workflow itself imports it."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import platform
import signal
import sys
from pathlib import Path

log = logging.getLogger("depthfake")


def setup_logging(log_file: str | os.PathLike | None = None) -> None:
    """Send log records to `log_file`, or to stderr without one; tracebacks go to both."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers = [logging.FileHandler(log_file, mode="w")]
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )

    def log_uncaught(exc_type, exc, tb) -> None:  # noqa: ANN001 - sys.excepthook signature
        log.critical("uncaught error", exc_info=(exc_type, exc, tb))
        if not log_file:
            sys.__excepthook__(exc_type, exc, tb)
            return
        # the traceback is in the log: the console gets one line
        print(f"{Path(sys.argv[0]).name}: {exc_type.__name__}: {exc} (traceback in {log_file})",
              file=sys.stderr, flush=True)

    sys.excepthook = log_uncaught
    log.info("%s on %s, %s", Path(sys.argv[0]).name, platform.node(), cluster_job())
    # SIGTERM (Snakemake or Slurm stopping the job) unwinds like an error, so the temporary
    # files of unfinished outputs are removed.
    stop_on_signal(signal.SIGTERM)


def stop_on_signal(signum: int) -> None:
    """Make `signum` stop this process by unwinding it like an error (SystemExit, exit code
    128 + signum), so that the temporary files of unfinished outputs are removed.

    Python drops an exception raised where it cannot propagate: an at-fork callback (a
    DataLoader forks its workers every epoch), a __del__, a weakref callback. A stop dropped
    there is raised again once that code has returned; without that the job went on
    training. Further signals while the stop unwinds are ignored, so that they cannot cut its
    cleanup short (torchrun passes a SIGTERM on to processes the group's SIGTERM reached).
    No lock is taken here: the code a signal interrupts may hold it.
    """
    import threading
    import time

    owner, stopping = os.getpid(), False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            # Loader workers stopped by the same signal are no error of their own: torch's
            # SIGCHLD handler would raise one here, in the middle of the cleanup.
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            sys.exit(128 + signum)

    def raise_again() -> None:
        time.sleep(0.01)  # let the code that dropped it return first
        signal.pthread_kill(threading.main_thread().ident, signum)

    previous_hook = sys.unraisablehook

    def dropped(unraisable) -> None:  # noqa: ANN001 - sys.unraisablehook signature
        nonlocal stopping
        if isinstance(unraisable.exc_value, SystemExit) and stopping and os.getpid() == owner:
            stopping = False
            with contextlib.suppress(RuntimeError):  # no new thread at interpreter shutdown
                threading.Thread(target=raise_again, daemon=True).start()
                return
        previous_hook(unraisable)

    sys.unraisablehook = dropped
    signal.signal(signum, stop)


def cluster_job() -> str:
    """The Slurm job this process runs in ("Slurm job <id>"), or "outside Slurm"."""
    job = os.environ.get("SLURM_JOB_ID")
    return f"Slurm job {job}" if job else "outside Slurm"


# The errors of a write that could not be made (full disk, quota, read-only or failing disk).
def limit_threads(threads: int) -> None:
    """Cap the CPU threads of torch and OpenCV to what the rule was given; only those already
    imported (call it once the step's libraries are loaded: a step that needs no torch must
    not pay for importing it)."""
    for module, setter in (("torch", "set_num_threads"), ("cv2", "setNumThreads")):
        if module in sys.modules:
            getattr(sys.modules[module], setter)(max(1, threads))


def step_parser(description: str | None) -> argparse.ArgumentParser:
    """The argument parser of a step script, with its --log-file option (not --log: torchrun
    would take that for an abbreviation of its own --log-dir)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--log-file", dest="log", type=Path, help="log file (default: stderr)")
    return parser


def add_shard_inputs(parser: argparse.ArgumentParser) -> None:
    """--index/--faces/--depth: aligned lists of per-shard frame indices, crops and depth."""
    parser.add_argument("--index", type=Path, nargs="+", required=True,
                        help="Parquet frame indices from crop_faces")
    parser.add_argument("--faces", type=Path, nargs="+", required=True,
                        help="crop HDF5 files, in the order of --index")
    parser.add_argument("--depth", type=Path, nargs="+",
                        help="depth HDF5 files, in the order of --index (models reading depth)")


def add_checkpoint_inputs(parser: argparse.ArgumentParser) -> None:
    """--weights/--meta: one trained detector, as the train step wrote it."""
    parser.add_argument("--weights", type=Path, required=True, help=".safetensors from train")
    parser.add_argument("--meta", type=Path, required=True, help=".json from train")


def add_index_outputs(parser: argparse.ArgumentParser) -> None:
    """--out-index/--out-skips: the frame index and skip records a per-shard stage writes."""
    parser.add_argument("--out-index", type=Path, required=True, help="Parquet frame index")
    parser.add_argument("--out-skips", type=Path, required=True, help="CSV of skipped videos")
