"""Depth estimation and its backends' options (depth)."""

from __future__ import annotations

from pydantic import Field

from depthfake.settings.base import BackendOptions, DepthBackendName, Device, Settings


class LandmarkMeshOptions(Settings):
    focal_scale: float = Field(1.0, gt=0, examples=[1.5],
                               description="assumed focal length, in crop sides")


class DepthAnythingOptions(Settings):
    model: str = Field(
        "depth-anything/Depth-Anything-V2-Small-hf",
        examples=["someone/other-depth-model"],
        description="any transformers AutoModelForDepthEstimation: a hub id or a folder written "
        "by save_pretrained (V2 Small: Apache-2.0; Base and Large: non-commercial)")
    input_size: int = Field(518, ge=14, examples=[56],
                            description="network input side, px: a multiple of "
                            "the patch size (14 for DINOv2, 16 for DPT-Large); 518 = V2's own")
    batch_size: int = Field(64, ge=1, examples=[4], description="crops per forward pass")
    device: Device = Field("auto", examples=["auto"],
                           description="auto: cuda when available, else cpu")


class DepthBackendOptions(BackendOptions):
    """Options of each depth backend, under the backend's name (estimate_depth)."""

    landmark_mesh: LandmarkMeshOptions = LandmarkMeshOptions()
    depth_anything: DepthAnythingOptions = DepthAnythingOptions()


class DepthSettings(DepthBackendOptions):
    backends: list[DepthBackendName] = Field(
        ["landmark_mesh"], min_length=1,
        examples=[["landmark_mesh"]],
        description="depth backends; each depth-reading model is trained on each")
    threads: int = Field(2, ge=1, examples=[1], description="CPU threads per depth job")
