"""Texts -> Unicode braille and back, with liblouis's lou_translate: one call for all the texts of
a document (one text a line), so that a leaflet costs two processes, not two a message."""

from __future__ import annotations

import subprocess

from ..formats.braille_tables import DISPLAY, Table

#: lou_translate reads a backslash in its input as the start of an escape (\x2800): doubled, it is one.
ESCAPES = str.maketrans({"\\": "\\\\"})


class TranslationError(Exception):
    """lou_translate could not run or did not translate (a table missing or broken)."""


def forward(table: Table, texts: list[str]) -> list[str]:
    """Each text (one line, no line breaks) as Unicode braille cells in the table's code."""
    return run(table, texts, "--forward")


def backward(table: Table, cells: list[str]) -> list[str]:
    """Unicode braille (one text's cells a line) translated back to print."""
    return run(table, cells, "--backward")


def run(table: Table, lines: list[str], direction: str) -> list[str]:
    if not lines:
        return []
    if any("\n" in line or "\r" in line for line in lines):
        raise TranslationError("a text holds a line break: lou_translate reads one text a line")
    try:
        done = subprocess.run(["lou_translate", direction, f"{DISPLAY},{table.table}"],
                              input="".join(line.translate(ESCAPES) + "\n" for line in lines),
                              capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120)
    except FileNotFoundError:
        raise TranslationError("lou_translate is not installed (Debian package liblouis-bin)") from None
    except (OSError, subprocess.SubprocessError) as error:
        raise TranslationError(f"lou_translate failed ({error})") from None
    output = done.stdout.split("\n")
    # lou_translate exits with 0 even when a table cannot be compiled: it then writes nothing.
    if done.returncode != 0 or len(output) != len(lines) + 1 or "could not be compiled" in done.stderr:
        said = " ".join(done.stderr.split())[:200] or f"exit status {done.returncode}"
        raise TranslationError(f"lou_translate could not use {table.table} ({said})")
    return output[:len(lines)]
