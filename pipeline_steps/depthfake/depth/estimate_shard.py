"""Depth estimation of one shard: a map per face crop, into HDF5 rows aligned with the crops
file; the step `estimate_depth` runs it."""

from __future__ import annotations

import logging
from pathlib import Path

from tqdm import tqdm

from depthfake.datasets.preprocess import depth_estimator
from depthfake.depth.base import CONVENTION
from depthfake.depth.store import create_depth_dataset, estimate_into
from depthfake.jobs._runtime import limit_threads
from depthfake.plan.provenance import code_version
from depthfake.settings import DepthBackendOptions
from depthfake.storage.h5 import open_h5, read_settings, write_h5

log = logging.getLogger(__name__)


def estimate_depth(faces_file: Path, backend: str, options: DepthBackendOptions,
                   out_depth: Path, threads: int = 1) -> int:
    """Estimate the depth of every crop of one shard; returns the number of maps."""
    estimator = depth_estimator(backend, options)
    limit_threads(threads)
    produced_by = {**read_settings(faces_file),
                   "depth": {"backend": backend, "options": options.options_of(backend)}}
    attributes = {"backend": backend, "convention": CONVENTION, "code": code_version(),
                  **estimator.identity}
    with open_h5(faces_file) as faces, write_h5(out_depth, produced_by) as out:
        crops, landmarks = faces["crops"], faces["landmarks"]
        depth = create_depth_dataset(out, len(crops), crops.shape[1], attributes,
                                     estimator.marks_background)
        with tqdm(total=len(crops), desc="estimate_depth", unit="crop") as bar:
            empty = estimate_into(estimator, crops, landmarks, depth, threads=threads,
                                  source=str(faces_file), progress=bar.update)
    if empty:
        log.warning("%d of %d crops got no depth (pose fit failed); they read as zero", empty,
                    len(crops))
    log.info("%d depth maps with %s", len(crops), backend)
    return len(crops)
