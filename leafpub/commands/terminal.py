"""The commands' lines, JSON and progress -> text safe for a terminal on stdout or stderr."""

from __future__ import annotations

import json
import re
import sys

from ..characters import BIDI_CONTROLS, INVISIBLE

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

#: What a terminal would act on rather than show: C0 and C1 controls (ESC begins the CSI
#: and OSC sequences that move the cursor, retitle the window or make links), DEL, line
#: and paragraph separators, and the invisible direction marks and controls that reorder
#: what follows them, and what shows nothing. Tabs are kept.
UNSHOWABLE = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029{BIDI_CONTROLS}{INVISIBLE}]")
#: The same inside JSON, which already escapes C0 controls in strings (its own line breaks
#: are structure).
UNSHOWABLE_IN_JSON = re.compile(f"[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029{BIDI_CONTROLS}{INVISIBLE}]")


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
