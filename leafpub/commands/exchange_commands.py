"""The translation supply chain's commands (export, import, back-translation) -> files written, what was
done printed, and the exit status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from ..catalogs import catalogs
from ..exchange import exchange, exports
from . import system
from ..model import Settings
from ..problems import Problem, ProblemError
from ..writing import write_atomically
from ..sources import path_text
from .terminal import EXIT_OK, EXIT_PROBLEMS, fail_usage, say


def export_command(settings: Settings, arguments: argparse.Namespace, stages) -> int:
    data, counts, record = exchange.export_xliff(settings, arguments.locale)
    # The record first: a file that went out can always be imported.
    written = write_output(settings, arguments.output, Path(f"messages.{arguments.locale}.xlf"), data,
                           before=lambda: exports.write_export(settings, record))
    if written:
        say(f"wrote {written}: {sum(counts.values())} messages ({counts['translated']} translated, "
            f"{counts['fuzzy']} fuzzy, {counts['untranslated']} untranslated) as XLIFF 1.2. Send it to "
            f"the agency; bring their file back with 'pipeline.py import FILE'. What was sent is recorded in "
            f"{settings.relative(exports.record_path(settings, record.ident))} (import needs it: commit it)")
    return EXIT_OK


def import_command(settings: Settings, arguments: argparse.Namespace, stages) -> int:
    shown = path_text(arguments.file)
    result = exchange.import_xliff(settings, arguments.file, shown)
    for problem in (*result.refused, *result.failing):
        say(f"error: {problem}", error=True)
    written = f"merged {len(result.changed)} changed message(s) into {result.catalog_path}" if result.changed \
        else f"nothing changed in {result.catalog_path}"
    say(f"{written}; {result.unchanged} unchanged, {result.refused_count} refused"
        + (f", {len(result.failing)} failing a check (see above)" if result.failing else ""))
    return EXIT_PROBLEMS if result.refused_count or result.failing else EXIT_OK


def back_translation_command(settings: Settings, arguments: argparse.Namespace, stages) -> int:
    from ..exchange import backtranslation

    if arguments.action == "export":
        catalogs.load_catalog(settings, arguments.locale)  # an unreadable catalog is refused, with its lines
        data, count = backtranslation.blind_file(settings, arguments.locale)
        written = write_output(settings, arguments.output, Path(f"messages.{arguments.locale}.back-translation.po"), data)
        if written:
            say(f"wrote {written}: {count} texts for an independent back-translator, with no English in it. "
                f"Bring it back with 'pipeline.py back-translation report {arguments.locale} FILE'")
        return EXIT_OK
    missing = system.check_system(settings)
    if missing:
        return fail_usage(missing[0])
    from .proofs import make_back_translation_reports

    shown = path_text(arguments.file)
    paths, rows = make_back_translation_reports(settings, arguments.locale, arguments.file, shown)
    for path in paths:
        say(f"wrote {settings.relative(path)}")
    differing = [row for row in rows if row.state is None and row.difference >= 0.5]
    say(f"{len(rows)} texts: {sum(1 for row in rows if row.state == 'missing')} not back-translated, "
        f"{sum(1 for row in rows if row.state == 'stale')} of an earlier translation, {len(differing)} "
        "differing from the English in half their words or more (first in the report)")
    for reason in backtranslation.problems_with(rows):
        say(f"note: {shown} {reason}")
    return EXIT_OK


def write_output(settings: Settings, output: Path | None, default: Path, data: bytes,
                 before: Callable[[], None] = lambda: None) -> str | None:
    """Write to -o FILE (default: `default` in the current folder) in full or not at all; '-' is
    standard output. Returns what to call the file, None for standard output. Only a new file or a
    plain file is replaced, never a catalog or anything else in translations/. `before` runs once the
    destination is found fit, before anything is written there."""
    if output is not None and str(output) == "-":
        before()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return None
    path = output or default
    reason = output_refusal(settings, path)
    if reason:
        raise ProblemError([Problem(str(path), None, reason)])
    before()
    try:
        write_atomically(path, data)
    except OSError as error:
        raise ProblemError([Problem(str(path), None, f"cannot write it: {error.strerror or error}")]) from None
    return str(path)


def output_refusal(settings: Settings, path: Path) -> str | None:
    if not path.parent.is_dir():
        return f"there is no folder {str(path.parent)!r} to write it in"
    if path.is_symlink() or (path.exists() and not path.is_file()):
        return "something other than a plain file is there: choose another name"
    if path.resolve().is_relative_to(settings.translations_dir.resolve()):
        return ("is inside translations/, where it could replace a catalog: write it elsewhere "
                "(the default is the current folder)")
    return None

