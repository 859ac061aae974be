"""SIGTERM during training: the tiny workflow is stopped while its training jobs run, and

- snakemake exits within a minute,
- nothing half-written is taken as done: a dry run still lists every interrupted training
  job, and no temporary file is left under results/,
- no process of the run is left alive.

The signal goes to the run's process group (snakemake and its jobs), as Ctrl-C, Slurm,
systemd and `timeout` deliver theirs: SIGTERM sent to snakemake alone does not stop the jobs
(Snakemake then waits for them to finish) and can hang Snakemake 9.27 (docs/bad-input.md,
"Stop a run").
`--only-snakemake` sends it to snakemake alone, to see that.

    python tests/sigterm_training.py --repeats 10

The data (demo videos, frames, crops) is built once, in --workdir; each try starts from it.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from tiny_workflow import SNAKEMAKE, TINY, merged, write_config

FORGERIES = ["FaceSwap", "ALL"]  # two training jobs, run at once on 2 cores
EXIT_LIMIT_S = 60.0
START_LIMIT_S = 300.0
# Enough epochs that no training ends before the signal (each epoch takes well under a second)
CONFIG = merged(TINY, {"depth": {"backends": ["landmark_mesh"]},
                       "train": {"models": ["rgb"], "forgeries": FORGERIES, "epochs": 5000}})
# What one try leaves and the next must not see.
TRY_OUTPUTS = ["results/models", "results/train_state", "results/benchmarks/train",
               "logs/train", ".snakemake/incomplete", ".snakemake/locks", "snakemake.out"]


@dataclass
class Try:
    seconds: float  # from the signal to snakemake's exit
    returncode: int
    survivors: list[str]  # processes of the run alive once snakemake had exited
    leftovers: list[str]  # temporary files under results/
    rerun_trains: int  # training jobs a dry run lists afterwards

    def problems(self, trains: int) -> list[str]:
        found = []
        if self.seconds > EXIT_LIMIT_S:
            found.append(f"snakemake took {self.seconds:.0f} s to exit")
        if self.survivors:
            found.append(f"processes left alive: {self.survivors}")
        if self.leftovers:
            found.append(f"temporary files left: {self.leftovers}")
        if self.rerun_trains != trains:
            found.append(f"a dry run lists {self.rerun_trains} training jobs, not {trains}")
        return found


def environment() -> dict:
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")


def run_snakemake(workdir: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*SNAKEMAKE, "-d", str(workdir), *args], capture_output=True,
                          text=True, env=environment(), timeout=timeout)


def prepare(workdir: Path, workers: int = 0, processes: int = 1) -> Path:
    """Build the demo data in `workdir` up to the training stage; returns the config (with
    `workers` loader processes per training process, `processes` per job: torchrun)."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = write_config(workdir / "config.yaml", merged(
        CONFIG, {"train": {"workers": workers, "processes": processes}}))
    built = run_snakemake(workdir, "--cores", "2", "--configfile", str(config),
                          "--omit-from", "train")
    if built.returncode != 0:
        raise RuntimeError(f"building the data failed:\n{built.stderr[-3000:]}")
    return config


def session_processes(session: int) -> list[psutil.Process]:
    """The live processes of a session (the run's: snakemake leads its own)."""
    found = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == session and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (psutil.Error, ProcessLookupError, PermissionError):
            continue
    return found


def describe(processes: list[psutil.Process]) -> list[str]:
    names = []
    for process in processes:
        try:
            names.append(f"{process.pid} {' '.join(process.cmdline())[:120]}")
        except psutil.Error:
            continue
    return names


def training_started(workdir: Path) -> bool:
    """Every training job has logged its first epoch."""
    logs = list((workdir / "logs" / "train").rglob("*.log"))
    return len(logs) == len(FORGERIES) and all(
        re.search(r"\bepoch \d+:", log.read_text(errors="replace")) for log in logs)


def stacks(processes: list[psutil.Process]) -> str:
    """Where the processes of a hung run wait (py-spy's dump, where py-spy is installed)."""
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if spy is None:
        return "(install py-spy to see the stacks)"
    dumps = [subprocess.run([spy, "dump", "--pid", str(p.pid)], capture_output=True, text=True)
             for p in processes]
    return "\n".join(dump.stdout + dump.stderr for dump in dumps)


def interrupt_training(workdir: Path, config: Path, only_snakemake: bool = False,
                       signum: int = signal.SIGTERM, seed: int | None = None) -> Try:
    """Run the workflow in `workdir` (made by `prepare`), send `signum` once training runs
    (after a random 0-2 s, to land anywhere in an epoch), and measure what follows."""
    for path in TRY_OUTPUTS:
        target = workdir / path
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    with open(workdir / "snakemake.out", "w") as out:
        run = subprocess.Popen([*SNAKEMAKE, "-d", str(workdir), "--cores", "2",
                                "--configfile", str(config)], stdout=out,
                               stderr=subprocess.STDOUT, env=environment(),
                               start_new_session=True)
    session = run.pid
    try:
        deadline = time.monotonic() + START_LIMIT_S
        while not training_started(workdir):
            if run.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("training did not start:\n"
                                   + (workdir / "snakemake.out").read_text()[-3000:])
            time.sleep(0.2)
        time.sleep(random.Random(seed).uniform(0, 2))
        start = time.monotonic()
        if only_snakemake:
            os.kill(run.pid, signum)
        else:
            os.killpg(session, signum)
        try:
            returncode = run.wait(timeout=EXIT_LIMIT_S)
        except subprocess.TimeoutExpired:
            print(f"snakemake did not exit within {EXIT_LIMIT_S:.0f} s; the stacks of the "
                  "run's processes:\n" + stacks(session_processes(session)), file=sys.stderr)
            os.killpg(session, signal.SIGKILL)
            returncode = run.wait()
        seconds = time.monotonic() - start
        time.sleep(1)  # the kernel's reaping of processes that were exiting as snakemake did
        survivors = describe(session_processes(session))
    finally:
        for process in session_processes(session):
            process.kill()
    leftovers = [str(p.relative_to(workdir)) for p in (workdir / "results").rglob("*")
                 if ".tmp-" in p.name]
    dry = run_snakemake(workdir, "-n", "--cores", "2", "--configfile", str(config))
    if dry.returncode != 0:
        raise RuntimeError(f"the dry run failed:\n{dry.stderr[-3000:]}")
    listed = re.search(r"^train\s+(\d+)$", dry.stdout, re.MULTILINE)
    return Try(seconds, returncode, survivors, leftovers, int(listed[1]) if listed else 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10, help="tries (default 10)")
    parser.add_argument("--workdir", type=Path,
                        help="where the data is built and reused (default: a temporary folder, "
                             "removed at the end)")
    parser.add_argument("--workers", type=int, default=1,
                        help="loader processes per training process (default 1: forked every "
                             "epoch, where a SIGTERM used to be lost)")
    parser.add_argument("--processes", type=int, default=1,
                        help="training processes per job (torchrun, on the CPU: gloo)")
    parser.add_argument("--signal", default="TERM", choices=["TERM", "INT"])
    parser.add_argument("--only-snakemake", action="store_true",
                        help="signal snakemake alone, not its process group")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sigterm-"))
    try:
        # (where the data was built before, only the config is written)
        config = prepare(workdir, args.workers, args.processes)
        failures, seconds = 0, []
        for attempt in range(1, args.repeats + 1):
            result = interrupt_training(workdir, config, args.only_snakemake,
                                        getattr(signal, f"SIG{args.signal}"), seed=attempt)
            problems = result.problems(len(FORGERIES))
            failures += bool(problems)
            seconds.append(result.seconds)
            print(f"try {attempt}: snakemake exited {result.seconds:.1f} s after SIG"
                  f"{args.signal} (exit code {result.returncode}); "
                  + ("; ".join(problems) if problems else "ok"), flush=True)
        print(f"{args.repeats} tries, {failures} failed; seconds to exit: min "
              f"{min(seconds):.1f}, median {statistics.median(seconds):.1f}, "
              f"max {max(seconds):.1f}")
        return 1 if failures else 0
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
