"""A name -> class registry whose names are known without importing the classes (torch-free)."""

from __future__ import annotations

import importlib
from typing import Any


class Registry:
    """Named classes given as "module:attribute" and imported only when one is created.

    The names are plain data, so the workflow can validate a config and wire its inputs
    without importing torch, OpenCV, dlib or transformers.
    """

    def __init__(self, what: str, targets: dict[str, str]):
        self.what = what
        self._targets = dict(targets)

    def names(self) -> list[str]:
        return sorted(self._targets)

    def check(self, name: str) -> str:
        """`name`, or one clear error listing the known names."""
        if name not in self._targets:
            raise ValueError(f"unknown {self.what} {name!r}; available: {', '.join(self.names())}")
        return name

    def resolve(self, name: str) -> Any:
        """The class (or factory) registered as `name`, imported now."""
        module, attribute = self._targets[self.check(name)].split(":")
        return getattr(importlib.import_module(module), attribute)

    def create(self, name: str, **options: Any) -> Any:
        return self.resolve(name)(**options)
