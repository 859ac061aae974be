"""The service's job store: one SQLite file (standard library, WAL) that the web process and
its workers share, so jobs survive a restart. A connection per call; a worker claims a job in
one statement, so two never take the same."""

from __future__ import annotations

import contextlib
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

QUEUED, RUNNING, DONE, FAILED, CANCELLED, INTERRUPTED = (
    "queued", "running", "done", "failed", "cancelled", "interrupted")
FINISHED = (DONE, FAILED, CANCELLED, INTERRUPTED)
# What a running job is doing, in order.
STAGES = ("queued", "decoding", "faces", "depth", "scoring", "page", "done")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,          -- the client's file name, shown (escaped), never a path
    bundle TEXT NOT NULL,        -- the key of the service's bundle it is scored with
    video TEXT NOT NULL,         -- the file scored: an upload or a file of the videos folder
    owned INTEGER NOT NULL,      -- 1: an upload, removed with the job
    state TEXT NOT NULL,
    stage TEXT NOT NULL,
    reason TEXT,
    outcome TEXT,                -- the detect outcome: scored, or not scored (reason)
    verdict TEXT,
    score REAL,
    worker INTEGER,              -- the pid of the worker running it
    cancel INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    queued REAL NOT NULL,        -- when it was last queued (a rerun goes to the back)
    started REAL,
    finished REAL
)"""


@dataclass(frozen=True)
class Job:
    id: str
    name: str
    bundle: str
    video: str
    owned: bool
    state: str
    stage: str
    reason: str | None
    outcome: str | None
    verdict: str | None
    score: float | None
    worker: int | None
    cancel: bool
    created: float
    queued: float
    started: float | None
    finished: float | None

    def public(self) -> dict:
        """What the API shows of it (not where its files are)."""
        shown = asdict(self)
        for private in ("video", "owned", "worker", "cancel"):
            shown.pop(private)
        shown["result"] = f"/jobs/{self.id}/page.html" if self.state == DONE else None
        return shown


def new_job_id() -> str:
    return uuid.uuid4().hex


class JobStore:
    """The jobs of one service, in `path` (created on first use)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            yield db
        finally:
            db.close()

    def _one(self, sql: str, *args: object) -> Job | None:
        with self.connect() as db:
            row = db.execute(sql, args).fetchone()
        return None if row is None else Job(**dict(row))

    def add(self, jobs: list[dict], *, max_queued: int) -> list[Job] | None:
        """Queue `jobs` (each: job_id, name, bundle, video, owned) in one transaction, only if
        the queue then holds at most `max_queued`; None (nothing queued) otherwise."""
        now = time.time()
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            waiting = db.execute("SELECT COUNT(*) FROM jobs WHERE state = ?",
                                 (QUEUED,)).fetchone()[0]
            if waiting + len(jobs) > max_queued:
                db.execute("ROLLBACK")
                return None
            db.executemany(
                "INSERT INTO jobs (id, name, bundle, video, owned, state, stage, created, "
                "queued) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(job["job_id"], job["name"], job["bundle"], str(job["video"]),
                  int(job["owned"]), QUEUED, STAGES[0], now, now) for job in jobs])
            db.execute("COMMIT")
        return [self.get(job["job_id"]) for job in jobs]

    def get(self, job_id: str) -> Job | None:
        return self._one("SELECT * FROM jobs WHERE id = ?", job_id)

    def jobs(self) -> list[Job]:
        """Every job, newest first."""
        with self.connect() as db:
            rows = db.execute("SELECT * FROM jobs ORDER BY created DESC, rowid DESC").fetchall()
        return [Job(**dict(row)) for row in rows]

    def waiting(self) -> int:
        with self.connect() as db:
            return db.execute("SELECT COUNT(*) FROM jobs WHERE state = ?", (QUEUED,)).fetchone()[0]

    def claim(self, worker: int) -> Job | None:
        """The oldest queued job, now running on `worker` (None when none waits)."""
        return self._one(
            "UPDATE jobs SET state = ?, stage = ?, worker = ?, started = ? WHERE id = "
            "(SELECT id FROM jobs WHERE state = ? ORDER BY queued, rowid LIMIT 1) RETURNING *",
            RUNNING, STAGES[1], worker, time.time(), QUEUED)

    def set_stage(self, job_id: str, stage: str) -> bool:
        """Record a running job's stage; False when it was cancelled or deleted meanwhile."""
        with self.connect() as db:
            row = db.execute("UPDATE jobs SET stage = ? WHERE id = ? AND state = ? "
                             "RETURNING cancel", (stage, job_id, RUNNING)).fetchone()
        return row is not None and not row["cancel"]

    def finish(self, job_id: str, *, state: str, reason: str | None = None,
               outcome: str | None = None, verdict: str | None = None,
               score: float | None = None) -> bool:
        """End a running job; False when it was no longer running (deleted, or marked
        interrupted by a restart)."""
        with self.connect() as db:
            done = db.execute(
                "UPDATE jobs SET state = ?, stage = ?, reason = ?, outcome = ?, verdict = ?, "
                "score = ?, finished = ? WHERE id = ? AND state = ?",
                (state, STAGES[-1] if state == DONE else state, reason, outcome, verdict, score,
                 time.time(), job_id, RUNNING))
            return done.rowcount == 1

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued job at once, a running one at its next stage."""
        with self.connect() as db:
            db.execute("UPDATE jobs SET state = ?, stage = ?, finished = ?, reason = ? "
                       "WHERE id = ? AND state = ?", (CANCELLED, CANCELLED, time.time(),
                                                      "cancelled before it started", job_id,
                                                      QUEUED))
            db.execute("UPDATE jobs SET cancel = 1 WHERE id = ? AND state = ?",
                       (job_id, RUNNING))
        return self.get(job_id)

    def requeue(self, job_id: str) -> Job | None:
        """Queue a finished job again (its result is made anew)."""
        with self.connect() as db:
            db.execute("UPDATE jobs SET state = ?, stage = ?, reason = NULL, outcome = NULL, "
                       "verdict = NULL, score = NULL, worker = NULL, cancel = 0, started = "
                       "NULL, finished = NULL, queued = ? WHERE id = ? AND state IN "
                       f"({', '.join('?' * len(FINISHED))})",
                       (QUEUED, STAGES[0], time.time(), job_id, *FINISHED))
        return self.get(job_id)

    def delete(self, job_id: str) -> Job | None:
        """Remove a job's row (a worker running it discards its result); the removed job."""
        job = self.get(job_id)
        with self.connect() as db:
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        return job

    def end_running(self, *, state: str, reason: str, worker: int | None = None
                    ) -> list[Job]:
        """End the running jobs (of `worker`, or all) as `state` (interrupted, failed) with
        `reason`; those jobs."""
        clause, args = ("AND worker = ?", (worker,)) if worker is not None else ("", ())
        with self.connect() as db:
            rows = db.execute(f"UPDATE jobs SET state = ?, stage = ?, reason = ?, finished = ? "
                              f"WHERE state = ? {clause} RETURNING *",
                              (state, state, reason, time.time(), RUNNING, *args)).fetchall()
        return [Job(**dict(row)) for row in rows]

    def delete_finished_before(self, moment: float) -> list[Job]:
        """Remove the jobs that ended before `moment` (and are still ended); those jobs."""
        with self.connect() as db:
            rows = db.execute(f"DELETE FROM jobs WHERE state IN ({', '.join('?' * len(FINISHED))})"
                              " AND COALESCE(finished, created) < ? RETURNING *",
                              (*FINISHED, moment)).fetchall()
        return [Job(**dict(row)) for row in rows]

    def videos(self) -> set[str]:
        """The files the jobs score."""
        with self.connect() as db:
            return {row[0] for row in db.execute("SELECT video FROM jobs")}
