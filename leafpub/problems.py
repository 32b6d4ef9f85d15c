"""Problems in user input: where they are (file, 1-based line) and what is wrong."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake in a file someone outside the code edits: a catalog, a leaflet, a config."""

    path: str  #: relative to the project root, as a user would type it
    line: int | None  #: 1-based; None when the problem is about the whole file
    message: str  #: one line, in words a translator or clinician understands
    locale: str | None = None  #: the locale whose documents it stops, if any
    leaflet: str | None = None  #: the leaflet (slug) whose documents it stops, if any
    pack: str | None = None  #: the pack it stops, if any

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def to_json(self) -> dict:
        entry = {"file": self.path, "line": self.line, "message": str(self)}
        if self.locale:
            entry["locale"] = self.locale
        if self.leaflet:
            entry["leaflet"] = self.leaflet
        if self.pack:
            entry["pack"] = self.pack
        return entry


class Problems:
    """Every problem a build finds, each once, in the order the stages found them (the order
    the terminal and the manifest list them in)."""

    def __init__(self) -> None:
        self.found: dict[Problem, None] = {}  # a dict: ordered, and a problem found twice is kept once

    def add(self, *found: Iterable[Problem]) -> None:
        """Each problem of `found` (one or more lists of them, in order) not added before."""
        for problems in found:
            self.found.update(dict.fromkeys(problems))

    @property
    def all(self) -> tuple[Problem, ...]:
        return tuple(self.found)

    def __iter__(self) -> Iterator[Problem]:
        return iter(tuple(self.found))

    def __len__(self) -> int:
        return len(self.found)


class ProblemError(Exception):
    """Raised by a stage that cannot go on; carries every problem it found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
