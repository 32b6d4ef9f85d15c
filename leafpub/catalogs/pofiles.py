"""A .po file's bytes -> a Babel Catalog, or problems (encoding, headers, syntax) with file and line."""

from __future__ import annotations

import codecs
import gettext
import io
import re
import subprocess

from babel.core import parse_locale
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po

from ..problems import Problem, ProblemError

MSGFMT_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?:\d+:)? (?P<message>.+)$")


def unreadable_problems(data: bytes, display: str, locale: str | None) -> list[Problem]:
    """The encoding first, then the headers: what stops gettext and Babel reading a file at all."""
    return encoding_problems(data, display, locale) or header_problems(data, display, locale)


def parse_catalog(data: bytes, display: str, locale: str | None = None) -> Catalog:
    try:
        return with_what_read_po_skips(read_po(io.BytesIO(data), abort_invalid=True), data)
    except PoFileError as error:
        # Babel's line numbers are 0-based.
        raise ProblemError([Problem(display, error.lineno + 1, f"invalid PO syntax: {error.args[0]}"
                                    .split(" on ")[0], locale=locale)]) from None
    except LookupError as error:  # an unknown charset in the Content-Type header
        raise ProblemError([Problem(display, header_line(data, "Content-Type"),
                                    f"cannot read catalog: the charset in its Content-Type header is "
                                    f"unknown ({error})", locale=locale)]) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise ProblemError([Problem(display, None, f"cannot read catalog: {error}", locale=locale)]) from None


SAVE_AS_UTF8 = ("save it as UTF-8 (Poedit and Weblate do; in a text editor choose "
                "'Save with encoding: UTF-8', without BOM)")


def encoding_problems(data: bytes, display: str, locale: str | None) -> list[Problem]:
    """A problem saying how the file is encoded when it is not UTF-8, the only encoding
    this project's catalogs use (and the one Poedit, Weblate and pybabel write)."""
    def problem(line: int, message: str) -> list[Problem]:
        return [Problem(display, line, message, locale=locale)]

    if data.startswith(codecs.BOM_UTF8):
        return problem(1, "the file starts with a byte order mark (BOM), which gettext tools reject: "
                          "save it as UTF-8 without BOM")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        order = "little" if data.startswith(codecs.BOM_UTF16_LE) else "big"
        return problem(1, f"the file is saved as UTF-16 ({order}-endian, with a byte order mark), "
                          f"not UTF-8: {SAVE_AS_UTF8}")
    head = data[:4096]
    if head.count(0) > len(head) // 4:
        order = "little" if head[1::2].count(0) > head[0::2].count(0) else "big"
        return problem(1, f"the file is saved as UTF-16 ({order}-endian, without a byte order mark), "
                          f"not UTF-8: {SAVE_AS_UTF8}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        return problem(line, "the file is not UTF-8 (this line has a byte UTF-8 does not allow; it "
                             f"looks saved as Latin-1 (ISO-8859-1) or Windows-1252): {SAVE_AS_UTF8}")
    return []


#: gettext's own limit is 1000 characters; CLDR's languages need at most 6 forms.
MAX_PLURAL_FORMS = 6


def header_problems(data: bytes, display: str, locale: str | None) -> list[Problem]:
    """Problems with the header fields gettext and Babel depend on (Content-Type,
    Language, Plural-Forms), each at its line and with what to write instead."""
    fields = header_fields(data.decode("utf-8"))
    problems = []

    def problem(name: str, message: str) -> None:
        problems.append(Problem(display, fields[name][0], message, locale=locale))

    if "Content-Type" in fields:
        charset = re.search(r"charset=([^;\s]*)", fields["Content-Type"][1])
        if charset and charset[1].lower().replace("-", "") != "utf8":
            problem("Content-Type", f"the Content-Type header says charset={charset[1][:30]}, but "
                                    f"catalogs here are UTF-8: write charset=UTF-8 and {SAVE_AS_UTF8}")
    if "Language" in fields:
        value = fields["Language"][1].strip()
        try:
            valid = 0 < len(value) <= 35 and bool(parse_locale(value.replace("-", "_")))
        except ValueError:
            valid = False
        if not valid:
            problem("Language", f"the Language header {value[:40]!r} is not a locale code "
                                "(such as es, pt_BR or zh_Hans): write the folder's name there")
    if "Plural-Forms" in fields:
        reason = plural_forms_problem(fields["Plural-Forms"][1])
        if reason:
            suggestion = ""
            try:
                suggestion = f" (for {locale}: {get_plural(locale).plural_forms})" if locale else ""
            except (ValueError, LookupError):
                pass
            problem("Plural-Forms", f"the Plural-Forms header cannot be used: {reason}; copy the "
                                    f"one for this language from the template{suggestion}")
    return problems


def plural_forms_problem(value: str) -> str | None:
    """Why gettext or Babel cannot use a Plural-Forms value, or None."""
    counts = re.search(r"nplurals\s*=\s*([^;]*)", value)
    expression = re.search(r"plural\s*=\s*(.*?);?\s*$", value.split(";", 1)[1] if ";" in value else "")
    if not counts or not expression:
        return "it must read nplurals=N; plural=EXPRESSION"
    if not counts[1].strip().isdigit() or not 1 <= int(counts[1]) <= MAX_PLURAL_FORMS:
        return f"nplurals must be a whole number from 1 to {MAX_PLURAL_FORMS}"
    try:
        gettext.c2py(expression[1])  # what gettext does with it when the catalog is loaded
    except (ValueError, RecursionError, SyntaxError, MemoryError) as error:
        return f"the plural expression is not usable ({str(error)[:80]})"
    return None


def header_fields(text: str) -> dict[str, tuple[int, str]]:
    """The header entry's fields: name -> (line, value). The header is the msgstr of the
    first entry (msgid ""), a run of quoted strings in which each field ends with \\n
    (a long one, such as Plural-Forms, may go on over several strings)."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip() == 'msgid ""'), None)
    pieces: list[tuple[int, str]] = []  # (line, text) of each field as written
    for number in range(start + 1 if start is not None else len(lines), len(lines)):
        line = lines[number].strip()
        line = line[len("msgstr "):] if line.startswith("msgstr ") else line
        if not (line.startswith('"') and line.endswith('"') and len(line) >= 2):
            break
        if not pieces or pieces[-1][1].endswith("\\n"):
            pieces.append((number + 1, ""))
        pieces[-1] = (pieces[-1][0], pieces[-1][1] + line[1:-1])
    fields: dict[str, tuple[int, str]] = {}
    for number, piece in pieces:
        name, colon, value = piece.removesuffix("\\n").partition(":")
        if colon and re.fullmatch(r"[A-Za-z-]+", name) and name not in fields:
            fields[name] = (number, value.strip())
    return fields


def run_msgfmt_check(data: bytes, display: str, locale: str) -> list[Problem]:
    """GNU msgfmt --check on the bytes already read (on standard input: msgfmt never opens
    the file itself, so it sees exactly what the build checked)."""
    result = subprocess.run(["msgfmt", "--check", "--output-file=/dev/null", "-"], input=data,
                            capture_output=True, timeout=60)
    if result.returncode == 0:
        return []
    problems = []
    stderr = result.stderr.decode("utf-8", errors="replace")
    for line in stderr.splitlines():
        found = MSGFMT_LINE.match(line)
        if found and found["path"] == "<stdin>" and not found["message"].startswith("warning:"):
            line = int(found["line"])
            if "end-of-line within string" in found["message"]:
                line -= 1  # msgfmt counts the newline that ended the string; point at its line
            problems.append(Problem(display, line, found["message"].strip(), locale=locale))
    return problems or [Problem(display, None, "msgfmt --check failed: "
                                + " ".join(stderr.replace("<stdin>", display).split())[:300],
                                locale=locale)]


def checked_bytes(catalog, display: str, locale: str | None) -> bytes:
    """The catalog as a .po file, refused (nothing to write) when GNU msgfmt --check would reject it:
    no command writes a catalog that the build, and every later import, would then refuse."""
    data = po_bytes(catalog)
    problems = run_msgfmt_check(data, display, locale)
    if problems:
        raise ProblemError([Problem(display, None, f"not written: msgfmt --check would reject the catalog "
                                                   f"({problem.message}, line {problem.line} of the result)",
                                    locale=locale) for problem in problems])
    return data


def header_line(data: bytes, header: str) -> int | None:
    """The line of a header field, or of the header entry when the field is missing."""
    lines = data.decode("utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, 1):
        if line.startswith(f'"{header}:'):
            return number
    return next((number for number, line in enumerate(lines, 1) if line.startswith('msgid ""')), None)


#: A run of "#|" comment lines: a fuzzy entry's previous msgid (and msgid_plural).
PREVIOUS_BLOCK = re.compile(rb"(?:^#\| .*\n)+", re.M)


def po_bytes(catalog, width: int = 76) -> bytes:
    """The catalog as a .po file, as pybabel writes it, with each fuzzy entry's previous msgid.

    Babel 2.18's write_po wraps a long previous msgid as one comment, breaking it inside
    its quoted strings, which gettext (msgfmt, Poedit) then cannot read. Here Babel writes
    them, and each such block is written again as gettext does: `#| msgid ""` and one
    quoted line after another."""
    from babel.messages.pofile import normalize, write_po

    for message in catalog:
        if not message.fuzzy:  # a checked translation has no previous English, as gettext writes it
            message.previous_id = []
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=width, include_previous=True)
    previous = [message.previous_id for message in catalog if message.previous_id]
    blocks = iter(previous)

    def rewritten(_found) -> bytes:
        ids = next(blocks)
        lines = []
        for keyword, text in zip(("msgid", "msgid_plural"), ids):
            quoted = normalize(text, width=width - 3).splitlines()
            lines += [f"#| {keyword} {quoted[0]}", *(f"#| {line}" for line in quoted[1:])]
        return ("\n".join(lines) + "\n").encode(catalog.charset or "utf-8")

    data = PREVIOUS_BLOCK.sub(rewritten, buffer.getvalue())
    return data


def with_what_read_po_skips(catalog: Catalog, data: bytes) -> Catalog:
    """The catalog with what Babel's read_po loses, so that writing it again changes nothing a
    translator reads: each fuzzy entry's previous msgid (its "#| msgid" comment), and every
    extracted comment line ("#."), which read_po keeps only once per message although a wrapped
    comment can end with a line another comment has too ("paragraph")."""
    from babel.messages.pofile import denormalize

    text = data.decode(catalog.charset or "utf-8", errors="replace")
    for entry in re.split(r"\n\s*\n", text):
        previous, msgid, extracted = entry_comments(entry.splitlines())
        message = catalog.get(denormalize("\n".join(msgid))) if msgid else None
        if message is None:
            continue
        if extracted:
            message.auto_comments = extracted
        if previous["msgid"]:
            message.previous_id = [denormalize("\n".join(previous[key])) for key in ("msgid", "msgid_plural")
                                   if previous[key]]
            # read_po took those lines for translator comments ("| msgid ...").
            message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    return catalog


def entry_comments(lines: list[str]) -> tuple[dict[str, list[str]], list[str], list[str]]:
    """One entry's previous msgid lines (by keyword), its msgid lines and its extracted comments."""
    previous: dict[str, list[str]] = {"msgid": [], "msgid_plural": []}
    current, msgid, extracted = None, [], []
    for line in lines:
        if line.startswith("#.") and not msgid:
            extracted.append(line[2:].strip())
        elif line.startswith("#| "):
            body = line[3:]
            keyword = body.split(" ", 1)[0]
            if keyword in previous:
                current, body = keyword, body[len(keyword):].strip()
            if current:
                previous[current].append(body)
        elif line.startswith("msgid ") or (msgid and line.startswith('"')):
            msgid.append(line.removeprefix("msgid ").strip())
        elif msgid:
            break
    return previous, msgid, extracted


def forms_of(string) -> tuple[str, ...]:
    """A message's msgid or msgstr as its forms: one for a singular message, one per plural form."""
    return tuple(string) if isinstance(string, (tuple, list)) else (string,)
