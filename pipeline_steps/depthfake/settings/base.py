"""What every settings section shares: the base models, the value types, the reserved names."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from depthfake.plan.catalogue import DEPTH_BACKENDS, DETECTORS, FACE_BACKENDS

# Names that become folder names in results/: letters, digits, '_', '.', '-'.
Token = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
DetectorName = Literal[tuple(DETECTORS.names())]
FaceBackendName = Literal[tuple(FACE_BACKENDS.names())]
DepthBackendName = Literal[tuple(DEPTH_BACKENDS.names())]
Compression = Literal["raw", "c23", "c40"]
Optimizer = Literal["adam", "sgd"]
# How a depth-reading model's depth input is made under attack (DEPTH_MODES describes them).
DepthMode = Literal["recompute", "perturb"]
Device = Literal["auto", "cuda", "cpu"]
Precision = Literal["bf16", "fp32"]
Schedule = Literal["plateau", "cosine"]
Selection = Literal["val_loss", "val_auc"]
# What a data set does with its missing videos or faces: stop with an error, or skip them.
Missing = Literal["error", "skip"]
Layout = Literal["ffpp", "dfd", "celebdf", "manifest"]

# The kind (and folder name) of the real videos; every other kind is a forgery.
REAL_KIND = "real"
# The compression level of a data set distributed in one quality only (Celeb-DF).
NO_COMPRESSION = "none"
# The forgery of a model trained on every forgery kind of its data set against the reals.
ALL_FORGERIES = "ALL"
# The depth backend of a model that reads no depth (never a registered backend name).
NO_DEPTH = "none"
# The depth input of an evaluation: none (a model that reads no depth), a DepthMode, or
# zeros in place of every depth map (the control showing what the depth stream adds).
ZERO_DEPTH = "zero"
DepthInput = Literal["none", "recompute", "perturb", "zero"]
# The depth input of a depth-reading model's clean faces on their stored maps (what `perturb`
# gives them clean): the detection table's, and perturb's clean reference.
ESTIMATED = "estimated"
# The depth modes by name.
RECOMPUTE, PERTURB = "recompute", "perturb"
# Each depth mode's clean reference, the depth input of its clean faces: recompute's go through
# the re-fit path, perturb's read the stored maps.
CLEAN_REFERENCE = {RECOMPUTE: RECOMPUTE, PERTURB: ESTIMATED}


class Settings(BaseModel):
    """A settings section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BackendOptions(Settings):
    """One field per registered backend of a family, holding that backend's options."""

    def options_of(self, backend: str) -> dict:
        return getattr(self, backend).model_dump()


def is_section(annotation: Any) -> bool:
    """Whether a field's annotation is a settings section (a pydantic model)."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
