"""The grid of a run: the cells, runs, evaluations and video slices a validated config
implies, and the files each job reads. Plain Python over the config (no Snakemake, no torch):
the workflow's rules and input functions are one-line adapters to it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from depthfake.plan.catalogue import reads_depth
from depthfake.settings import (
    ALL_FORGERIES,
    NO_COMPRESSION,
    NO_DEPTH,
    REAL_KIND,
    ZERO_DEPTH,
    DatasetSettings,
    WorkflowConfig,
)


def expand(pattern: str, **values: str | int | list) -> list[str]:
    """`pattern` formatted with every combination of `values` (a list is one value each),
    the last key varying fastest, as Snakemake's expand orders them."""
    lists = [value if isinstance(value, list) else [value] for value in values.values()]
    return [pattern.format(**dict(zip(values, combination, strict=True)))
            for combination in itertools.product(*lists)]


# The wildcards of a table column (one column_statistics job).
TABLE_COLUMN = ("dataset", "test_dataset", "compression", "forgery")


@dataclass(frozen=True)
class OutputPatterns:
    """The output patterns of the rules whose files other jobs read."""

    frame_skips: str
    face_index: str
    faces: str
    face_skips: str
    face_check: str
    depth: str
    weights: str
    meta: str
    predictions: str
    validation: str
    robustness: str  # a robustness table's CSV, per {dataset} and {mode}


@dataclass(frozen=True)
class RunPlan:
    """Which jobs a config implies, and what each reads."""

    config: WorkflowConfig

    # -- the grid --------------------------------------------------------------------------
    def dataset(self, name: str) -> DatasetSettings:
        return self.config.datasets[name]

    @property
    def training_levels(self) -> list[str]:
        """The compressions models are trained at."""
        return self.dataset(self.config.train.dataset).compression_levels()

    def kinds(self, name: str, forgery: str = ALL_FORGERIES) -> list[str]:
        """The video kinds of a data set a cell reads: the reals plus one or every forgery."""
        forgeries = self.dataset(name).forgeries
        return [REAL_KIND, *(forgeries if forgery == ALL_FORGERIES else [forgery])]

    def shards(self, name: str) -> list[int]:
        return list(range(self.dataset(name).shards_per_kind))

    def test_compression(self, test_dataset: str, compression: str) -> str | None:
        """The compression a model trained at `compression` is tested at on `test_dataset`
        (None: not tested there)."""
        if compression in self.dataset(test_dataset).compression_levels():
            return compression
        return NO_COMPRESSION if self.dataset(test_dataset).compressions is None else None

    def tested_forgery(self, test_dataset: str, forgery: str) -> str:
        """The fakes a model trained on `forgery` is tested on in `test_dataset`: that kind
        where the data set has it, else all of its kinds (a cross-data-set test)."""
        return forgery if forgery in self.dataset(test_dataset).forgeries else ALL_FORGERIES

    def runs(self) -> list[dict]:
        """(model, backbone, depth backend, seed) of every model trained per cell; models
        that read no depth do not multiply by depth backends."""
        train = self.config.train
        return [dict(model=model, backbone=backbone, depth=depth, seed=seed)
                for model in train.models
                for backbone in train.backbones
                for depth in (self.config.depth.backends if reads_depth(model) else [NO_DEPTH])
                for seed in train.seeds]

    def depth_inputs(self, model: str) -> list[str]:
        """The depth inputs a model is evaluated with: each depth mode and the zero control
        for a model that reads depth, none for one that reads none."""
        return [*self.config.evaluate.depth_modes, ZERO_DEPTH] if reads_depth(model) \
            else [NO_DEPTH]

    def evaluations(self) -> list[dict]:
        """Every (training cell, run, test data set) of the grid, with the run's depth
        inputs joined by "+", as wildcard values."""
        train = self.config.train
        return [dict(dataset=train.dataset, compression=compression, forgery=forgery,
                     test_dataset=test, depth_inputs="+".join(self.depth_inputs(run["model"])),
                     **run)
                for compression in self.training_levels
                for forgery in train.forgeries
                for test in self.config.test_datasets()
                if self.test_compression(test, compression)
                for run in self.runs()]

    def columns(self) -> list[dict]:
        """Every table column of the grid (TABLE_COLUMN: training data set, test data set,
        compression trained at, forgery), as wildcard values, in grid order."""
        return list({tuple(cell[k] for k in TABLE_COLUMN): {k: cell[k] for k in TABLE_COLUMN}
                     for cell in self.evaluations()}.values())

    def test_layouts(self) -> list[str]:
        """`name=layout` of every test data set (its layout names its clusters)."""
        return [f"{name}={self.dataset(name).layout}" for name in self.config.test_datasets()]

    def read_slices(self) -> list[tuple[str, str, str]]:
        """(data set, compression, kind) of every video group some job reads."""
        slices = set()
        for cell in self.evaluations():
            test = cell["test_dataset"]
            for name, level, forgery in (
                (cell["dataset"], cell["compression"], cell["forgery"]),
                (test, self.test_compression(test, cell["compression"]),
                 self.tested_forgery(test, cell["forgery"])),
            ):
                slices |= {(name, level, kind) for kind in self.kinds(name, forgery)}
        return sorted(slices)

    def needed_splits(self, name: str) -> set[str]:
        """The splits the grid reads from a data set: train and val to train, test to test."""
        trained = {"train", "val"} if name == self.config.train.dataset else set()
        return trained | ({"test"} if name in self.config.test_datasets() else set())

    def table_rows(self) -> list[str]:
        """Row order of the tables: model/backbone/depth."""
        return list(dict.fromkeys(f"{r['model']}/{r['backbone']}/{r['depth']}"
                                  for r in self.runs()))

    def gradcam_models(self) -> list[dict]:
        """Every trained detector of the Grad-CAM cell, at the first backbone, depth backend
        and seed, as the train rule's wildcards (model, depth, backbone, seed)."""
        train = self.config.train
        first = dict(backbone=train.backbones[0], seed=train.seeds[0])
        return [dict(model=model, depth=self.config.depth.backends[0] if reads_depth(model)
                     else NO_DEPTH, **first) for model in train.models]

    def gradcam_cell(self, name: str) -> dict[str, str]:
        """The cell whose detectors the Grad-CAM figure shows: dataset, compression,
        forgery."""
        gradcam = self.config.figures.gradcam
        return dict(dataset=name,
                    compression=gradcam.compression or self.dataset(name).compression_levels()[0],
                    forgery=gradcam.forgery or self.config.train.forgeries[0])

    # -- what jobs read --------------------------------------------------------------------
    def face_files(self, patterns: OutputPatterns, *, dataset: str, compression: str,
                   forgery: str, model: str, depth: str) -> dict[str, list[str]]:
        """Frame indices, crops and (for models that read depth) depth maps of one cell, and
        its slices' face checks (no job reads a slice that lost too many of its faces)."""
        kinds = self.kinds(dataset, forgery)
        values = dict(dataset=dataset, compression=compression, kind=kinds,
                      shard=self.shards(dataset))
        files = {"index": expand(patterns.face_index, **values),
                 "faces": expand(patterns.faces, **values),
                 "checks": expand(patterns.face_check, dataset=dataset,
                                  compression=compression, kind=kinds)}
        if reads_depth(model):
            files["depth"] = expand(patterns.depth, **values, depth=depth)
        return files

    def test_files(self, patterns: OutputPatterns, *, test_dataset: str, compression: str,
                   forgery: str, model: str, depth: str) -> dict[str, list[str]]:
        """The faces (and depth) a model trained at `compression` on `forgery` is tested on in
        `test_dataset`."""
        return self.face_files(patterns, dataset=test_dataset,
                               compression=self.test_compression(test_dataset, compression),
                               forgery=self.tested_forgery(test_dataset, forgery),
                               model=model, depth=depth)

    def gradcam_files(self, patterns: OutputPatterns, name: str) -> dict[str, list[str]]:
        """The Grad-CAM cell's test faces (with the first depth backend's maps, when a model
        reads depth) and its detectors' weights and records."""
        cell, models = self.gradcam_cell(name), self.gradcam_models()
        reader = next((m for m in models if reads_depth(m["model"])), models[0])
        return self.face_files(patterns, **cell, model=reader["model"],
                               depth=reader["depth"]) | {
            "weights": [patterns.weights.format(**cell, **m) for m in models],
            "meta": [patterns.meta.format(**cell, **m) for m in models],
        }

    def bundle_files(self, patterns: OutputPatterns, *, dataset: str, compression: str,
                     forgery: str, model: str, backbone: str, depth: str, seed: str
                     ) -> dict[str, str | list[str]]:
        """What one run's bundle is made from: its weights and record, its validation and
        test predictions (on its own data set), the robustness tables and, for a model that
        reads depth, one of its training depth files (naming the depth model)."""
        if dataset not in self.config.test_datasets():
            raise ValueError(f"a bundle states its test metrics on its own data set: add "
                             f"{dataset!r} to evaluate.datasets")
        run = dict(dataset=dataset, compression=compression, forgery=forgery, model=model,
                   backbone=backbone, depth=depth, seed=seed)
        files = {"weights": patterns.weights.format(**run), "meta": patterns.meta.format(**run),
                 "validation": patterns.validation.format(**run),
                 "predictions": patterns.predictions.format(
                     **run, test_dataset=dataset, depth_inputs="+".join(self.depth_inputs(model))),
                 "robustness": [patterns.robustness.format(dataset=dataset, mode=mode)
                                for mode in self.config.evaluate.depth_modes]}
        if reads_depth(model):
            files["depth_file"] = self.face_files(patterns, dataset=dataset,
                                                  compression=compression, forgery=forgery,
                                                  model=model, depth=depth)["depth"][0]
        return files

    def depth_figure_files(self, patterns: OutputPatterns) -> dict[str, list[str]]:
        """Shard 0 of the first training cell's kinds (first compression), with every
        backend's depth, backend-major: what the depth figure shows."""
        train = self.config.train
        values = dict(dataset=train.dataset, compression=self.training_levels[0], shard=0)
        kinds = self.kinds(train.dataset, train.forgeries[0])
        return {
            "faces": [patterns.faces.format(kind=k, **values) for k in kinds],
            "index": [patterns.face_index.format(kind=k, **values) for k in kinds],
            "depth": [patterns.depth.format(kind=k, depth=d, **values)
                      for d in self.config.depth.backends for k in kinds],
        }

    def per_shard(self, pattern: str) -> list[str]:
        """`pattern` (an output of extraction or cropping) for every shard the grid reads."""
        return [pattern.format(dataset=name, compression=level, kind=kind, shard=number)
                for name, level, kind in self.read_slices() for number in self.shards(name)]

    def slice_indices(self, patterns: OutputPatterns, *, dataset: str, compression: str,
                      kind: str) -> list[str]:
        """The frame indices of one slice (data set, compression, kind), every shard."""
        return expand(patterns.face_index, dataset=dataset, compression=compression,
                      kind=kind, shard=self.shards(dataset))

    def predictions(self, patterns: OutputPatterns) -> list[str]:
        """Every evaluation's predictions, in grid order."""
        return [patterns.predictions.format(**cell) for cell in self.evaluations()]

    def column_predictions(self, patterns: OutputPatterns, *, dataset: str, test_dataset: str,
                           compression: str, forgery: str) -> list[str]:
        """The predictions of one table column: every run of its training cell on its test
        data set."""
        column = (dataset, test_dataset, compression, forgery)
        return [patterns.predictions.format(**cell) for cell in self.evaluations()
                if tuple(cell[k] for k in TABLE_COLUMN) == column]

    def column_files(self, pattern: str) -> list[str]:
        """`pattern` (column_statistics' output) for every table column."""
        return [pattern.format(**column) for column in self.columns()]

    def reads_depth_anywhere(self) -> bool:
        return any(map(reads_depth, self.config.train.models))
