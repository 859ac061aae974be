"""The tables' statistics: the cluster bootstrap and training noise of every interval
(column_statistics), and which differences are marked (tables)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from depthfake.settings.base import Settings


class BootstrapSettings(Settings):
    """Every cell's intervals (column_statistics)."""

    resamples: int = Field(1000, ge=100, examples=[2000],
                           description="bootstrap replicates: the clusters of related test "
                           "videos drawn with replacement")
    level: float = Field(0.95, gt=0.5, lt=1, examples=[0.9],
                         description="confidence level of every interval; differences are "
                         "marked at 1 - level")
    seed: int = Field(0, examples=[7], description="seed of the bootstrap draws")


class MarkSettings(Settings):
    """Which differences the tables mark (tables)."""

    min_seeds: int = Field(3, ge=2, examples=[5],
                           description="a difference is marked only where both models have "
                           "at least this many training seeds (train.seeds)")
    min_clusters: int = Field(5, ge=2, examples=[10],
                              description="and its test set at least this many clusters with "
                              "real videos, and as many with fake ones")
    family_wise: Literal["holm", "none"] = Field(
        "holm", examples=["none"],
        description="holm: marks controlled over each table's comparisons (Holm); none: each "
        "difference at its own level")


class StatisticsSection(MarkSettings, BootstrapSettings):
    """The intervals and marks of the tables (docs/statistics.md)."""
