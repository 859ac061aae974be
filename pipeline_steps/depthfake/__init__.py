"""depthfake: the library shared by the pipeline's step scripts (RGB-D deepfake detection)."""

__version__ = "0.1.0"
