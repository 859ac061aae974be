"""Depth maps of face crops behind one interface (landmark-fitted generic face; neural later)."""

from depthfake.depth.base import DepthEstimator, create_depth_estimator, list_depth_backends

__all__ = ["DepthEstimator", "create_depth_estimator", "list_depth_backends"]
