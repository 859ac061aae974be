"""Depth maps of face crops behind one interface (a landmark-fitted generic face, or a
neural model)."""

from depthfake.depth.base import DepthEstimator, create_depth_estimator, list_depth_backends

__all__ = ["DepthEstimator", "create_depth_estimator", "list_depth_backends"]
