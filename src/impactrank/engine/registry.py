"""Named methods picked by the methodology file, instead of if-chains spread through the code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

F = TypeVar("F", bound=Callable)


class Registry(Generic[F]):
    def __init__(self, kind: str) -> None:
        self.kind = kind  # a catalog entry (N_), worded in the reader's language where an error names it
        self._methods: dict[str, F] = {}

    def register(self, name: str) -> Callable[[F], F]:
        def add(fn: F) -> F:
            if name in self._methods:
                raise ValueError(f"{self.kind} method {name!r} is already registered")
            self._methods[name] = fn
            return fn

        return add

    def __getitem__(self, name: str) -> F:
        try:
            return self._methods[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} method {name!r} (known: {', '.join(self)})") from None

    def __contains__(self, name: object) -> bool:
        return name in self._methods

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._methods))

    def describe(self, name: str) -> str:
        doc = (self[name].__doc__ or "").strip()
        return doc.splitlines()[0] if doc else name
