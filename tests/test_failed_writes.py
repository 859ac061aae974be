"""A write the disk refuses (full, over quota, too large) leaves no temporary file behind and
is one line naming the file and the cause; HDF5's failures are caught in a real write."""

from __future__ import annotations

import errno
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from depthfake.storage.atomic import FailedWriteError, atomic_output
from depthfake.storage.files import write_csv, write_parquet

from conftest import REPO

NO_SPACE = OSError(errno.ENOSPC, "No space left on device")


def refuse(*args, **kwargs):
    raise NO_SPACE


@pytest.mark.parametrize("write", ["csv", "parquet"])
def test_a_refused_write_leaves_no_temporary_file(tmp_path, monkeypatch, write):
    out = tmp_path / "results" / f"table.{write}"
    module = "pyarrow.parquet.write_table" if write == "parquet" else "pathlib.Path.write_text"
    monkeypatch.setattr(module, refuse)
    with pytest.raises(FailedWriteError) as error:
        (write_parquet if write == "parquet" else write_csv)(out, pd.DataFrame({"a": [1]}))
    assert str(error.value) == f"could not write {out}: No space left on device"
    assert error.value.errno == errno.ENOSPC and error.value.__cause__ is NO_SPACE
    assert list(out.parent.iterdir()) == []


def test_other_errors_in_an_output_block_keep_their_kind(tmp_path):
    with pytest.raises(FileNotFoundError), atomic_output(tmp_path / "out.txt"):
        (tmp_path / "missing input").read_text()
    assert list(tmp_path.iterdir()) == []


# A step writing an HDF5 file larger than the process may write (RLIMIT_FSIZE: HDF5's writes
# fail with EFBIG in the middle of the file, as on a full disk).
HDF5_STEP = textwrap.dedent("""
    import resource, signal, sys
    import numpy as np
    from depthfake.storage.h5 import write_h5
    from depthfake.jobs._runtime import setup_logging
    setup_logging(sys.argv[2])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000))
    rng = np.random.default_rng(0)
    with write_h5(sys.argv[1], {"frames": {}}) as h5:
        for video in range(20):
            h5.create_dataset(f"videos/{video}", chunks=(1, 128, 128, 3), compression="lzf",
                              data=rng.integers(0, 256, (8, 128, 128, 3), dtype=np.uint8))
    print("written")
""")


def test_a_failed_hdf5_write_is_one_line_and_leaves_nothing(tmp_path):
    out, log = tmp_path / "frames" / "shard0.h5", tmp_path / "shard0.log"
    result = subprocess.run([sys.executable, "-c", HDF5_STEP, str(out), str(log)],
                            capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(REPO / "pipeline_steps"), "PATH": ""})
    message = f"could not write {out}: File too large"
    assert result.returncode == 1 and "written" not in result.stdout
    assert result.stderr.strip().splitlines() == [f"-c: {message}"]
    assert list(out.parent.iterdir()) == []
    assert log.read_text().count("Traceback") == 0 and message in log.read_text()
