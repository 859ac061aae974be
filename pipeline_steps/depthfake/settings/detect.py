"""Scoring videos with a model bundle (detect), and what the workflow scores (detect)."""

from __future__ import annotations

from pydantic import Field

from depthfake.settings.base import Device, Settings

# per_video of a sampling that takes every stride-th frame without a cap.
EVERY_FRAME = 1 << 31


class DetectSettings(Settings):
    """How `depthfake detect` scores a video with a bundle (its own preprocessing replayed)."""

    frames: int | None = Field(None, ge=1, examples=[64],
                               description="frames sampled per video, evenly spaced; null: "
                               "the bundle's sampling (its frames.per_video and stride)")
    stride: int | None = Field(None, ge=1, examples=[1],
                               description="score every stride-th frame from the first "
                               "(frames at most, when given); null: the bundle's sampling")
    max_side: int = Field(1920, ge=64, examples=[1280],
                          description="frames whose larger side exceeds this are downscaled "
                          "to it for face detection only; the crop is cut from the full frame")
    min_face_frames: int = Field(2, ge=1, examples=[8],
                                 description="a video with a face in fewer sampled frames "
                                 "is not scored (its reason recorded)")
    depth_model: str | None = Field(None, examples=["models/depth-anything-small"],
                                    description="a folder or hub id holding the bundle's "
                                    "depth model, where its own (a folder on the machine "
                                    "that trained it) is not here; its weights must match "
                                    "the bundle's digest")
    device: Device = Field("auto", examples=["cpu"],
                           description="auto: cuda when available, else cpu")

    def sampling(self, bundle_frames: dict) -> dict:
        """The frame sampling to score with: the bundle's `frames` settings, replaced by
        `frames` and `stride` where given (a stride alone takes every stride-th frame)."""
        if self.frames is None and self.stride is None:
            return dict(bundle_frames)
        return {"per_video": self.frames or EVERY_FRAME, "stride": self.stride}


class DetectSection(DetectSettings):
    """The videos the workflow's `detect` target scores, with which bundle."""

    bundle: str | None = Field(None, examples=["results/bundles/demo/raw/ALL/mdn/"
                                               "test_efficientnet/landmark_mesh/seed42"],
                               description="a bundle folder or a Hugging Face hub id "
                               "(user/name, optionally @revision); required by the target")
    videos: str | None = Field(None, examples=["my_videos/"],
                               description="a folder (its .mp4, .avi, .mov, .mkv and .webm "
                               "files) or a text file listing one video path per line; "
                               "required by the target")
