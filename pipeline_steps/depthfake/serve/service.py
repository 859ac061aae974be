"""What the service does, apart from HTTP: its bundles (checked at start), its folder (the job
store `jobs.sqlite`, `uploads/`, `results/<job>/`), queueing, cancelling, rerunning and
deleting jobs, marking the jobs a stopped service interrupted, and removing expired ones."""

from __future__ import annotations

import fcntl
import logging
import re
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from depthfake.bundles.load import load_bundle
from depthfake.datasets.base import listed_videos
from depthfake.detect.score import VideoScorer
from depthfake.serve.errors import Refused
from depthfake.serve.store import DONE, INTERRUPTED, QUEUED, RUNNING, Job, JobStore, new_job_id
from depthfake.serve.workers import WorkerPool, result_folder
from depthfake.settings import DetectSettings
from depthfake.settings.serve import ServeSettings

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 600
INTERRUPTED_REASON = "the service stopped while it ran; rerun it"


@dataclass(frozen=True)
class ServedBundle:
    """A bundle the service offers: its key (in URLs and the API), source and record."""

    key: str
    source: str
    name: str
    demo: bool
    threshold: float
    digest: str

    def public(self) -> dict:
        return {"key": self.key, "name": self.name, "demo": self.demo,
                "threshold": self.threshold, "sha256": self.digest}


def served_bundles(sources: list[str], detect: DetectSettings) -> dict[str, ServedBundle]:
    """Each bundle loaded once with its face and depth models, as a worker will (so a bundle
    that cannot score stops the start, not a worker), keyed by its name's safe characters
    (numbered when two share one)."""
    served: dict[str, ServedBundle] = {}
    for source in sources:
        bundle = VideoScorer(load_bundle(source), detect).bundle
        key = re.sub(r"[^A-Za-z0-9._-]+", "-", bundle.meta["name"]).strip("-.") or "bundle"
        key = key if key not in served else f"{key}-{len(served) + 1}"
        served[key] = ServedBundle(key=key, source=str(source), name=bundle.meta["name"],
                                   demo=bundle.is_demo, threshold=bundle.threshold,
                                   digest=bundle.digest)
    return served


def folder_lock(state: Path) -> IO:
    """Hold the state folder for this service (released when it exits, however it exits);
    a second service on the same folder is refused."""
    state.mkdir(parents=True, exist_ok=True)
    lock = open(state / "service.lock", "w")  # noqa: SIM115 (held for the service's life)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise ValueError(f"another service is using {state}; stop it or give another "
                         "--state") from None
    return lock


class Service:
    """One service: its settings, bundles, store and workers."""

    def __init__(self, *, settings: ServeSettings, bundles: list[str], detect: DetectSettings):
        if not bundles:
            raise ValueError("the service needs at least one bundle (--model)")
        self.settings, self.detect = settings, detect
        self.state = settings.state.resolve()
        self.lock = folder_lock(self.state)
        self.uploads = self.state / "uploads"
        self.bundles = served_bundles(bundles, detect)
        self.store = JobStore(self.state / "jobs.sqlite")
        self.pool = WorkerPool(count=settings.workers, state=self.state,
                               bundles={k: b.source for k, b in self.bundles.items()},
                               settings=detect, threads=settings.threads)
        self.stopping = threading.Event()

    # Starting and stopping.
    def start(self) -> None:
        """Mark what a stopped service left running as interrupted (its partial result
        removed), queue it again if asked, remove expired jobs, start the workers."""
        for job in self.store.end_running(state=INTERRUPTED, reason=INTERRUPTED_REASON):
            self.remove_result(job.id)
            log.warning("job %s (%s) was interrupted by a stop", job.id, job.name)
            if self.settings.rerun_interrupted:
                self.store.requeue(job.id)
        self.purge_expired()
        self.remove_stray_uploads()
        self.pool.start()
        threading.Thread(target=self.purge_periodically, name="retention", daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        self.pool.stop()
        for job in self.store.end_running(state=INTERRUPTED, reason=INTERRUPTED_REASON):
            self.remove_result(job.id)

    # Jobs.
    def bundle_key(self, key: str | None) -> str:
        if key is None and len(self.bundles) == 1:
            return next(iter(self.bundles))
        if key not in self.bundles:
            raise Refused(400, f"no bundle {key!r}; this service has "
                                + ", ".join(self.bundles))
        return key

    def check_room(self, jobs: int = 1) -> None:
        """Refuse (503) when `jobs` more would pass the queue's bound (checked again, in the
        same transaction, when they are queued)."""
        if self.store.waiting() + jobs > self.settings.max_queue:
            raise self.queue_full()

    def queue_full(self) -> Refused:
        return Refused(503, f"the queue is full ({self.store.waiting()} jobs wait, at most "
                       f"{self.settings.max_queue}); try again when some have started")

    def folder_videos(self) -> dict[str, Path]:
        """The videos of the service's videos folder, by file name (none without one)."""
        if self.settings.videos is None:
            return {}
        return {path.name: path.resolve() for path in listed_videos(self.settings.videos)}

    def queue(self, jobs: list[dict]) -> list[Job]:
        queued = self.store.add(jobs, max_queued=self.settings.max_queue)
        if queued is None:
            raise self.queue_full()
        return queued

    def queue_upload(self, *, job_id: str, name: str, bundle: str, video: Path) -> Job:
        """Queue an uploaded file (removed if the queue filled up meanwhile)."""
        try:
            return self.queue([dict(job_id=job_id, name=name, bundle=bundle, video=video,
                                    owned=True)])[0]
        except Refused:
            video.unlink(missing_ok=True)
            raise

    def queue_folder_files(self, *, names: list[str], bundle: str) -> list[Job]:
        """Jobs for files of the videos folder, named as `folder_videos` lists them."""
        offered = self.folder_videos()
        unknown = [name for name in names if name not in offered]
        if not offered:
            raise Refused(400, "this service was started without a videos folder")
        if unknown or not names:
            raise Refused(400, f"not videos of the service's folder: {unknown}" if unknown
                          else "name at least one file of the videos folder")
        return self.queue([dict(job_id=new_job_id(), name=name, bundle=bundle,
                                video=offered[name], owned=False) for name in names])

    def job(self, job_id: str) -> Job:
        job = self.store.get(job_id)
        if job is None:
            raise Refused(404, f"no job {job_id!r}")
        return job

    def cancel(self, job_id: str) -> Job:
        job = self.job(job_id)
        if job.state not in (QUEUED, RUNNING):
            raise Refused(409, f"job {job_id} is {job.state}; only a queued or running job "
                          "can be cancelled")
        return self.store.cancel(job_id)

    def rerun(self, job_id: str) -> Job:
        job = self.job(job_id)
        if job.state in (QUEUED, RUNNING):
            raise Refused(409, f"job {job_id} is {job.state}; only a finished job reruns")
        self.remove_result(job_id)
        return self.store.requeue(job_id)

    def delete(self, job_id: str) -> Job:
        """Remove a job with its files (a running one's worker discards its result)."""
        job = self.store.delete(self.job(job_id).id)
        self.remove_files(job)
        return job

    def remove_files(self, job: Job) -> None:
        self.remove_result(job.id)
        if job.owned:
            Path(job.video).unlink(missing_ok=True)

    def remove_result(self, job_id: str) -> None:
        folder = result_folder(self.state, job_id)
        shutil.rmtree(folder, ignore_errors=True)
        for partial in folder.parent.glob(f".{job_id}.tmp-*"):
            shutil.rmtree(partial, ignore_errors=True)

    def result_file(self, job_id: str, name: str) -> Path:
        """A file of a done job's result (404 before it is done)."""
        job = self.job(job_id)
        path = result_folder(self.state, job.id) / name
        if job.state != DONE or not path.is_file():
            raise Refused(404, f"job {job_id} has no result: it is {job.state}")
        return path

    def remove_stray_uploads(self) -> None:
        """Remove files in uploads/ that no job scores (a SIGKILL mid-upload leaves them)."""
        kept = self.store.videos()
        for path in self.uploads.glob("*") if self.uploads.is_dir() else []:
            if str(path) not in kept:
                path.unlink(missing_ok=True)

    # Retention.
    def purge_expired(self) -> int:
        """Remove finished jobs older than keep_days with their files; how many."""
        if not self.settings.keep_days:
            return 0
        expired = self.store.delete_finished_before(
            time.time() - self.settings.keep_days * 86400)
        for job in expired:
            self.remove_files(job)
        if expired:
            log.info("removed %d jobs older than %s days", len(expired), self.settings.keep_days)
        return len(expired)

    def purge_periodically(self) -> None:
        while not self.stopping.wait(PURGE_EVERY_SECONDS):
            try:
                self.purge_expired()
            except (OSError, sqlite3.Error):  # tried again next time
                log.exception("removing expired jobs failed")
