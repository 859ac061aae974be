"""Evaluation: the attacks, their severity sweeps and the test grid (evaluate)."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from depthfake.settings.base import DepthMode, Device, Settings, Token


class AttackSettings(Settings):
    """The black-box attacks, in pixel space on [0, 1] crops: the paper's, and JPG."""

    blur_kernel: int = Field(5, ge=1, examples=[3], description="BLR: odd Gaussian kernel side")
    blur_sigma_min: float = Field(4.0, gt=0, examples=[3.0],
                                  description="BLR: sigma uniform in [min, max]")
    blur_sigma_max: float = Field(8.0, gt=0, examples=[6.0], description="BLR: see blur_sigma_min")
    noise_sigmas: list[float] = Field([0.05, 0.07], min_length=1,
                                      examples=[[0.05]],
                                      description="NSE: sigma drawn per image from these")
    rescale_factor: float = Field(64 / 224, gt=0, le=1,
                                  examples=[0.5],
                                  description="RSC: down to this fraction of the side and back")
    translate_max: float = Field(0.1, ge=0, le=1,
                                 examples=[0.2],
                                 description="TRN: shift up to this fraction of the side")
    jpeg_quality: int = Field(75, ge=1, le=100, examples=[60],
                              description="JPG (this project's addition, not the paper's): "
                              "JPEG re-compression quality")

    @field_validator("blur_kernel")
    @classmethod
    def _odd(cls, value: int) -> int:
        if value % 2 == 0:
            raise ValueError(f"must be odd, got {value}")
        return value

    @model_validator(mode="after")
    def _sigma_range(self) -> AttackSettings:
        if self.blur_sigma_min > self.blur_sigma_max:
            raise ValueError(f"blur_sigma_min {self.blur_sigma_min} > blur_sigma_max "
                             f"{self.blur_sigma_max}")
        return self


class SweepSettings(Settings):
    """Severity sweeps: each attack again at each level, its drawn parameter fixed there."""

    BLR: list[Annotated[float, Field(gt=0)]] = Field(
        [1.0, 2.0, 4.0, 8.0], examples=[[3.0]], description="blur sigmas (kernel blur_kernel)")
    NSE: list[Annotated[float, Field(ge=0)]] = Field(
        [0.011, 0.025, 0.05, 0.1], examples=[[0.03]],
        description="noise sigmas on the [0, 1] pixel scale; 0.011 is what the paper's code "
        "gave its RGB model (its RGB-D models' 0.0002 changes no pixel once rounded to uint8)")
    RSC: list[Annotated[float, Field(gt=0, le=1)]] = Field(
        [0.75, 0.5, 64 / 224, 0.15], examples=[[0.4]], description="rescale factors")
    TRN: list[Annotated[float, Field(ge=0, le=1)]] = Field(
        [0.05, 0.1, 0.2], examples=[[0.3]], description="largest shifts, as a fraction of the side")
    JPG: list[Annotated[int, Field(ge=1, le=100)]] = Field(
        [90, 70, 50, 30], examples=[[20]], description="JPEG qualities")


# A noise level changing fewer pixels than this, once rounded to uint8, leaves the set clean.
LEAST_CHANGED_FRACTION = 1e-6


def levels_left_clean(sweeps: SweepSettings, *, blur_kernel: int, crop_size: int) -> list[str]:
    """The sweep levels that rounding to uint8 pixels turns into the clean set, with why: TRN
    shifts under half a pixel, RSC sizes that round to the crop's own, BLR kernels whose centre
    keeps every pixel within half a grey level, NSE sigmas changing fewer than
    LEAST_CHANGED_FRACTION of the pixels."""
    half_level = 0.5 / 255  # on the [0, 1] pixel scale
    found = [f"TRN@{level:g}: shifts of at most {level * crop_size:g} px round to none"
             for level in sweeps.TRN if level * crop_size <= 0.5]
    found += [f"RSC@{level:g}: {crop_size} px rescaled to round({level:g} x {crop_size}) = "
              f"{crop_size} px is the crop itself"
              for level in sweeps.RSC if round(level * crop_size) == crop_size]
    for sigma in sweeps.BLR:
        weights = [math.exp(-(x * x) / (2 * sigma * sigma))
                   for x in range(-(blur_kernel // 2), blur_kernel // 2 + 1)]
        centre = (weights[blur_kernel // 2] / sum(weights)) ** 2
        if 1 - centre < half_level:
            found.append(f"BLR@{sigma:g}: the neighbours' weight {1 - centre:.2g} moves no pixel "
                         "by half a grey level")
    found += [f"NSE@{sigma:g}: changes {changed:.2g} of the pixels"
              for sigma in sweeps.NSE
              if (changed := math.erfc(half_level / (sigma * math.sqrt(2))) if sigma else 0.0)
              < LEAST_CHANGED_FRACTION]
    return found


class EvaluateSettings(Settings):
    """What one evaluation job uses (evaluate)."""

    seed: int = Field(1234, examples=[1],
                      description="seed of the attack draws (the same for every model)")
    device: Device = Field("auto", examples=["cpu"],
                           description="auto: cuda when available, else cpu")
    attacks: AttackSettings = AttackSettings()
    sweeps: SweepSettings = SweepSettings()


class EvaluateSection(EvaluateSettings):
    depth_modes: list[DepthMode] = Field(
        ["recompute"], min_length=1, examples=[["recompute", "perturb"]],
        description="depth under attack, one table each: "
        "recompute (re-estimated from the attacked crop) or perturb (the paper's: the attack "
        "applied to the stored map)")
    workers: int = Field(0, ge=0, examples=[2],
                         description="loader processes per evaluation job (attacks "
                         "run in them); 0: in the evaluation process")
    datasets: list[Token] | None = Field(
        None, examples=[["demo"]],
        description="data sets to test on (keys of datasets); null: the training one")

    @field_validator("depth_modes")
    @classmethod
    def _distinct(cls, modes: list[str]) -> list[str]:
        if len(set(modes)) < len(modes):
            raise ValueError(f"names a mode twice: {modes}")
        return modes
