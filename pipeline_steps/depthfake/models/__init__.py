"""Detectors (rgb, depth, early, late, mid, mdn) on timm backbones, one `create_detector`."""

from depthfake.models.checkpoint import load_detector, read_checkpoint_meta, save_detector
from depthfake.models.detectors import DetectorConfig, create_detector, list_detectors

__all__ = ["DetectorConfig", "create_detector", "list_detectors", "load_detector",
           "read_checkpoint_meta", "save_detector"]
