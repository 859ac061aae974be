"""The figures beside the tables (figures)."""

from __future__ import annotations

from pydantic import Field

from depthfake.settings.base import Compression, Settings, Token


class GradcamSettings(Settings):
    """The Grad-CAM figure: every trained detector of one cell (first backbone, depth backend
    and seed) on the same test faces."""

    faces: int = Field(4, ge=2, examples=[2],
                       description="test faces shown, half real and half fake (the "
                       "first face of the first test videos)")
    compression: Compression | None = Field(
        None, examples=["c40"],
        description="the cell's compression; null: the training data set's first")
    forgery: Token | None = Field(
        None, examples=["ALL"],
        description="the cell's forgery (or ALL); null: the first of train.forgeries")


class FigureSettings(Settings):
    """The figures beside the tables (depth_figure, gradcam)."""

    depth_samples: int = Field(2, ge=1, examples=[1],
                               description="depth figure: test crops per video kind")
    gradcam: GradcamSettings = GradcamSettings()
