"""SIGTERM stops a step at once wherever it lands, and stops the workflow during training
with nothing half-written taken as done (tests/sigterm_training.py, run once)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from sigterm_training import FORGERIES, interrupt_training, prepare

# A step that receives SIGTERM where Python drops exceptions, then would go on for 60 s.
DROPPED = """
import os, signal, sys, time
from depthfake.jobs._runtime import setup_logging

def signal_here():
    os.kill(os.getpid(), signal.SIGTERM)
    sum(range(10))  # the handler runs here, where its SystemExit is dropped

class Collected:
    def __del__(self):
        signal_here()

setup_logging(sys.argv[2])
if sys.argv[1] == "del":
    Collected()
else:  # a DataLoader forking its workers
    os.register_at_fork(after_in_parent=signal_here)
    if os.fork() == 0:
        os._exit(0)
time.sleep(60)
"""

# A step whose cleanup receives a second SIGTERM (torchrun passes on the group's).
CLEANUP = """
import os, signal, sys, time
from pathlib import Path
from depthfake.jobs._runtime import setup_logging

setup_logging(sys.argv[1])
try:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(60)
finally:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.2)
    Path(sys.argv[2]).write_text("cleaned up")
"""


def run_step(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("where", ["del", "fork"])
def test_a_sigterm_python_drops_still_stops_the_step(tmp_path, where):
    step = run_step(DROPPED, where, str(tmp_path / "step.log"))
    assert step.returncode == 143, step.stderr
    assert "Exception ignored" not in step.stderr


def test_a_second_sigterm_does_not_cut_the_cleanup_short(tmp_path):
    marker = tmp_path / "cleaned"
    step = run_step(CLEANUP, str(tmp_path / "step.log"), str(marker))
    assert step.returncode == 143, step.stderr
    assert marker.read_text() == "cleaned up"


@pytest.mark.workflow
def test_sigterm_during_training_stops_the_workflow_leaving_nothing_taken_as_done(tmp_path):
    config = prepare(tmp_path, workers=1)  # loader workers: the processes forked every epoch
    result = interrupt_training(tmp_path, config)
    assert not result.problems(len(FORGERIES)), result
