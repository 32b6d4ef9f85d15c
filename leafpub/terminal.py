"""The commands' lines, JSON and progress -> text safe for a terminal on stdout or stderr."""

from __future__ import annotations

import json
import sys

from .model import UNSHOWABLE, UNSHOWABLE_IN_JSON

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def shown(text) -> str:
    """Text from anywhere made safe to print: each character a terminal would act on is
    written as its escape (\\x1b, \\u202e), so what is shown is exactly what is there."""
    return UNSHOWABLE.sub(lambda found: (f"\\x{ord(found[0]):02x}" if ord(found[0]) < 0x100
                                         else f"\\u{ord(found[0]):04x}"), str(text))


def say(line: str, error: bool = False) -> None:
    """Print one line of ours, with whatever it quotes shown as plain text."""
    print(shown(line), file=sys.stderr if error else sys.stdout, flush=True)


def say_json(data) -> None:
    """JSON for scripts: the same text, with what a terminal would act on as JSON escapes."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    print(UNSHOWABLE_IN_JSON.sub(lambda found: f"\\u{ord(found[0]):04x}", text), flush=True)


def fail_usage(message: str) -> int:
    say(f"error: {message}", error=True)
    return EXIT_USAGE


class PlainProgress:
    """One line per document, for logs and CI."""

    total = done = 0

    def phase(self, description: str) -> None:
        say(description)

    def start(self, total: int) -> None:
        self.total += total

    def advance(self, description: str) -> None:
        self.done += 1
        say(f"[{self.done}/{self.total}] {description}")

    def finish(self) -> None:
        pass


class RichProgress:
    """A progress bar on a terminal."""

    bar = None

    def phase(self, description: str) -> None:
        """The bar shows the long part; the short phases pass unannounced."""

    def start(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        if self.bar is None:
            self.bar = Progress(TextColumn("rendering {task.description:<14}", markup=False), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=0)
        self.bar.update(self.task, total=self.bar.tasks[0].total + total)

    def advance(self, description: str) -> None:
        self.bar.update(self.task, advance=1, description=shown(description))

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
