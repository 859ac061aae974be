"""A service in a child process, for the browser tour, the load benchmark and the tests: started
with `depthfake serve`'s own command line, its address read from what it prints."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

LISTENING = "listening on "
START_SECONDS = 120


@dataclass
class RunningService:
    process: subprocess.Popen
    url: str  # ending in /
    printed: list[str]  # every line it printed (a generated login link among them)


def start_service(models: list[Path | str], state: Path, *options: str,
                  env: dict[str, str] | None = None) -> RunningService:
    """Start `depthfake serve` on a free port (unless `options` give one) and wait until it
    listens; raises RuntimeError with what it printed if it stopped instead."""
    command = [sys.executable, "-m", "depthfake.commands.cli", "serve", "--state", str(state),
               *(word for model in models for word in ("--model", str(model))),
               *([] if "--port" in options else ["--port", "0"]), *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, **(env or {})})
    printed: list[str] = []
    listening = threading.Event()

    def read() -> None:  # all it prints, so that a full pipe never blocks it
        for line in process.stdout:
            printed.append(line.rstrip())
            if LISTENING in line:
                listening.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + START_SECONDS
    while not listening.wait(0.1):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            reader.join(5)  # what it printed last
            raise RuntimeError("depthfake serve did not start listening:\n"
                               + "\n".join(printed))
    line = next(line for line in printed if LISTENING in line)
    return RunningService(process, line.split(LISTENING)[1].strip(), printed)


def wait_until_ready(service: RunningService, timeout: float = START_SECONDS) -> float:
    """Wait until every worker has loaded its bundles; the seconds that took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        about = httpx.get(service.url + "api/service", timeout=10).json()
        if about["ready_workers"] == about["workers"]:
            return time.monotonic() - start
        time.sleep(0.1)
    raise TimeoutError(f"the service's workers were not ready after {timeout:g} s")


def stop_service(service: RunningService, timeout: float = 30) -> None:
    """SIGTERM, as a user's Ctrl-C would (SIGKILL if it does not stop in `timeout`)."""
    if service.process.poll() is None:
        service.process.terminate()
        try:
            service.process.wait(timeout)
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait()


@contextlib.contextmanager
def running_service(models: list[Path | str], state: Path, *options: str,
                    env: dict[str, str] | None = None) -> Iterator[RunningService]:
    service = start_service(models, state, *options, env=env)
    try:
        yield service
    finally:
        stop_service(service)
