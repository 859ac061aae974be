"""Frame sampling (frames)."""

from __future__ import annotations

from pydantic import Field

from depthfake.settings.base import Settings


class FrameSettings(Settings):
    """Frame sampling (extract_frames)."""

    per_video: int = Field(32, ge=1, examples=[4],
                           description="frames sampled per video (DeepfakeBench's "
                           "32; the paper does not state its count)")
    stride: int | None = Field(None, ge=1, examples=[2],
                               description="take every stride-th frame from the "
                               "first, per_video at most; null: per_video evenly spaced frames")
