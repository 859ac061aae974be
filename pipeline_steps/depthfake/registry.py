"""A name -> factory registry, shared by the face, depth and model families (timm's pattern)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Factories registered by name; `builtin_modules` are imported (and so register) lazily."""

    def __init__(self, what: str, builtin_modules: tuple[str, ...] = ()):
        self.what = what
        self._builtin_modules = builtin_modules
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        def add(factory: Callable[..., T]) -> Callable[..., T]:
            if name in self._factories:
                raise ValueError(f"{self.what} {name!r} is registered twice")
            self._factories[name] = factory
            return factory

        return add

    def names(self) -> list[str]:
        self._load_builtins()
        return sorted(self._factories)

    def create(self, name: str, **options) -> T:
        self._load_builtins()
        if name not in self._factories:
            raise ValueError(f"unknown {self.what} {name!r}; available: {', '.join(self.names())}")
        return self._factories[name](**options)

    def _load_builtins(self) -> None:
        for module in self._builtin_modules:
            importlib.import_module(module)
