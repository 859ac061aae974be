"""Which inputs each detector reads; torch-free so the Snakefile can wire inputs with it."""

from __future__ import annotations

DEPTH_FREE_DETECTORS = frozenset({"rgb"})


def uses_depth(detector: str) -> bool:
    """Whether the registered detector `detector` reads depth maps."""
    return detector not in DEPTH_FREE_DETECTORS
