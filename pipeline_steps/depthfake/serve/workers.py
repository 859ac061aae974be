"""The service's workers: processes outside the web process that take queued jobs from the
store, score each video as `depthfake detect` does and write its page.

A worker dies with the service: the kernel kills it when its parent goes (Linux's parent-death
signal), and it checks its parent before a result is published, so no orphan writes after a
SIGKILL. A result appears whole (an atomic folder) and only while its job still runs; the
supervisor, in the web process, fails the job of a worker that died and starts another.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from multiprocessing.synchronize import Event
from pathlib import Path

from depthfake.bundles.load import load_bundle
from depthfake.detect.batch import write_video
from depthfake.detect.score import VideoScorer
from depthfake.jobs._runtime import limit_threads
from depthfake.plan.provenance import code_version
from depthfake.serve.store import CANCELLED, DONE, FAILED, STAGES, JobStore
from depthfake.settings import DetectSettings
from depthfake.storage.atomic import atomic_folder

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2
# The job stage each scoring phase belongs to.
PHASE_STAGES = {"decode": "decoding", "faces": "faces", "depth": "depth", "model": "scoring",
                "gradcam": "scoring"}
PR_SET_PDEATHSIG = 1


class JobCancelled(Exception):
    """The job was cancelled or deleted while it ran."""


class OrphanedError(SystemExit):
    """The service that started this worker is gone."""


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when its parent exits (Linux); exit now if the
    parent is already gone."""
    if sys.platform.startswith("linux") and ctypes.CDLL(None, use_errno=True).prctl(
            PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        raise OrphanedError(1)


def result_folder(state: Path, job_id: str) -> Path:
    return state / "results" / job_id


class Worker:
    """One worker's loop over the store's queue, each bundle loaded once (`scorer`)."""

    def __init__(self, *, state: Path, bundles: dict[str, str], settings: DetectSettings,
                 parent: int):
        self.state, self.bundles, self.settings, self.parent = state, bundles, settings, parent
        self.store = JobStore(state / "jobs.sqlite")
        self.scorers: dict[str, VideoScorer] = {}
        self.commit = code_version()

    def scorer(self, key: str) -> VideoScorer:
        if key not in self.scorers:
            self.scorers[key] = VideoScorer(load_bundle(self.bundles[key]), self.settings)
        return self.scorers[key]

    def run_forever(self) -> None:
        while True:
            job = self.store.claim(os.getpid())
            if job is None:
                if os.getppid() != self.parent:
                    raise OrphanedError(1)
                time.sleep(POLL_SECONDS)
                continue
            self.run(job.id, job.bundle, Path(job.video), job.name)

    def stage(self, job_id: str, stage: str) -> None:
        if not self.store.set_stage(job_id, stage):
            raise JobCancelled(job_id)

    def run(self, job_id: str, bundle: str, video: Path, name: str) -> None:
        """Score one claimed job; its end (done, failed or cancelled) goes to the store."""
        folder = result_folder(self.state, job_id)
        try:
            scorer = self.scorer(bundle)
            scored = scorer.score(video, on_phase=lambda phase: self.stage(
                job_id, PHASE_STAGES.get(phase, STAGES[4])))
            self.stage(job_id, "page")
            with atomic_folder(folder) as tmp:
                write_video(scored, tmp, scorer.bundle, self.commit, name)
                if os.getppid() != self.parent:
                    raise OrphanedError(1)
        except JobCancelled:
            self.store.finish(job_id, state=CANCELLED, reason="cancelled while it ran")
            return
        except Exception as err:  # one job's failure is that job's, with its reason
            log.exception("job %s failed", job_id)
            self.store.finish(job_id, state=FAILED, reason=f"{type(err).__name__}: {err}")
            return
        if not self.store.finish(job_id, state=DONE, reason=scored.reason,
                                 outcome=scored.outcome, verdict=scored.verdict,
                                 score=scored.score):
            shutil.rmtree(folder, ignore_errors=True)  # deleted or interrupted meanwhile


def worker_main(state: str, bundles: dict[str, str], settings: dict, parent: int,
                threads: int, ready: Event) -> None:
    """A worker process's entry point (spawned: nothing is inherited but these arguments);
    `ready` is set once its bundles are loaded."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the service stops its workers itself
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s worker %(message)s")
    limit_threads(threads)
    worker = Worker(state=Path(state), bundles=bundles, settings=DetectSettings(**settings),
                    parent=parent)
    for key in bundles:  # loaded before the first job, not during it
        worker.scorer(key)
    ready.set()
    worker.run_forever()


class WorkerPool:
    """`count` worker processes, kept at that count: a worker that dies fails its job with
    the exit code and is replaced."""

    def __init__(self, *, count: int, state: Path, bundles: dict[str, str],
                 settings: DetectSettings, threads: int):
        self.count, self.state, self.bundles = count, state, bundles
        self.settings, self.threads = settings.model_dump(), threads
        self.store = JobStore(state / "jobs.sqlite")
        self.context = multiprocessing.get_context("spawn")
        self.processes: list[multiprocessing.Process] = []
        self.ready: list[Event] = []  # each worker's: set once it has loaded its bundles
        self.stopping = threading.Event()
        self.supervisor = threading.Thread(target=self.supervise, name="workers", daemon=True)

    def spawn(self) -> tuple[multiprocessing.Process, Event]:
        ready = self.context.Event()
        process = self.context.Process(
            target=worker_main, name="depthfake-worker", daemon=True,
            args=(str(self.state), self.bundles, self.settings, os.getpid(), self.threads,
                  ready))
        process.start()
        return process, ready

    def start(self) -> None:
        self.processes, self.ready = map(list, zip(*(self.spawn() for _ in range(self.count)),
                                                   strict=True))
        self.supervisor.start()

    def supervise(self, every: float = 0.5) -> None:
        while not self.stopping.wait(every):
            for position, process in enumerate(self.processes):
                if process.is_alive() or self.stopping.is_set():
                    continue
                self.store.end_running(state=FAILED, worker=process.pid,
                                       reason=f"the worker process died (exit code "
                                       f"{process.exitcode}) while scoring it")
                log.warning("worker %s exited with %s; starting another", process.pid,
                            process.exitcode)
                self.processes[position], self.ready[position] = self.spawn()

    def ready_count(self) -> int:
        """Workers alive with their bundles loaded."""
        return sum(ready.is_set() and process.is_alive()
                   for process, ready in zip(self.processes, self.ready, strict=True))

    def stop(self, timeout: float = 5) -> None:
        """Stop every worker (their running jobs are marked interrupted by the caller)."""
        self.stopping.set()
        if self.supervisor.is_alive():
            self.supervisor.join()  # it starts no worker after this
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join()
