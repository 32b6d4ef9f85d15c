"""Which liblouis table writes each language's braille, what its gate tolerates and why, or why
a language has no braille: the one place these choices are made (decided by translating each
catalog forward and back with liblouis 3.24)."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: Debian's liblouis-data puts its tables here; LOUIS_TABLEPATH folders are searched first.
SYSTEM_TABLES = Path("/usr/share/liblouis/tables")
#: Every table is read with Unicode braille as its display: BRF is made from it (layout.py).
DISPLAY = "unicode.dis"


@dataclass(frozen=True)
class Table:
    """A language's braille code: the liblouis table, and what its gate may normalise."""

    table: str
    code: str  #: the braille code it writes, for people
    tolerance: str = "exact"  #: a key of NORMALISERS
    why: str = ""  #: why that tolerance is needed


@dataclass(frozen=True)
class NoTable:
    reason: str


def _apostrophes(text: str) -> str:
    return text.replace("\u2019", "'")


#: A dash with the spaces around it.
SPACED_DASH = re.compile(r"\s*([\u2013\u2014])\s*")


def _german(text: str) -> str:
    return SPACED_DASH.sub(r"\1", text.casefold())


#: Letters a-j after a digit and a full stop (7.ab.bjbf): the digits 1-0 liblouis read back as letters.
DIGITS_AFTER_POINT = re.compile(r"(?<=\d)((?:\.[a-j]+)+)\b")
LETTER_DIGITS = str.maketrans("abcdefghij", "1234567890")


def _number_after_point(text: str) -> str:
    """1.b as 1.2: in Polish and Portuguese braille the number sign holds across a full stop inside
    a number (1.2 is ⠼⠁⠄⠃), but liblouis 3.24 ends the number at the full stop when translating back."""
    return DIGITS_AFTER_POINT.sub(lambda match: match.group(1).translate(LETTER_DIGITS), text)


def _polish(text: str) -> str:
    """One cell each for ( and ) (⠶), for the full stop and the apostrophe (⠄), for the hyphen and
    the dashes (⠤) in Polish braille; and the number after a full stop."""
    text = text.replace(")", "(").replace("\u2019", ".").replace("'", ".")
    return _number_after_point(text.replace("\u2013", "-").replace("\u2014", "-"))


def _portuguese(text: str) -> str:
    """§ is ⠎⠎ in Portuguese braille, so ss comes back as §; the travessão (⠤⠤) comes back as --;
    and the number after a full stop."""
    return _number_after_point(text.replace("\u00a7", "ss").replace("\u2014", "--"))


#: A 3 or a 5 not next to another digit: what es-g1 reads ⠒ and ⠢ back as.
LONE_THREE = re.compile(r"(?<!\d)3(?!\d)")
LONE_FIVE = re.compile(r"(?<!\d)5(?!\d)")
LONE_TWO = re.compile(r"(?<!\d)2(?!\d)")


def _spanish(text: str) -> str:
    """Spanish braille writes ¿ and ? with one cell (⠢), the full stop and the apostrophe with one
    (⠄); ⠢, the colon's ⠒ and the semicolon's ⠆ are also the lowered digits 5, 3 and 2
    (denominators), which liblouis 3.24 reads them back as; es-g1 reads the raya (⠤⠤) back as
    Windows-1252's \\x97."""
    text = text.replace("\u00bf", "?").replace("'", ".").replace("\x97", "\u2014")
    return LONE_TWO.sub(";", LONE_FIVE.sub("?", LONE_THREE.sub(":", text)))


#: Contracted UEB that liblouis 3.24 reads back wrongly: the word, its cells (the contraction
#: the code writes for it standing alone) and what comes back. Every one is checked forward in
#: the tests by translating the word alone.
UEB_READ_BACK = {
    "enough": ("\u2822", "en"),  #: the wordsign for enough (dots 26), read back as the groupsign en
    "above": ("\u2801\u2803\u2827", "abv"),  #: the shortform abv, left as it is before a semicolon
}
UEB_WORDS = re.compile(r"\b(" + "|".join(back for _, back in UEB_READ_BACK.values()) + r")\b")
#: The colon of https:// (dots 25) read back as the groupsign cc, which the code uses only between letters.
UEB_COLON = re.compile(r"(?<=[a-z])cc(?=//)")


def _ueb_contracted(text: str) -> str:
    words = {back: word for word, (_, back) in UEB_READ_BACK.items()}
    return UEB_WORDS.sub(lambda match: words[match.group(1)], UEB_COLON.sub(":", _apostrophes(text)))


NORMALISERS: dict[str, Callable[[str], str]] = {
    "UEB contracted: apostrophe, words read back wrongly": _ueb_contracted,
    "exact": lambda text: text,
    "apostrophe": _apostrophes,
    "case": str.casefold,
    "case, dash spacing": _german,
    "Polish punctuation, number after a point": _polish,
    "Portuguese §, travessão, number after a point": _portuguese,
    "Spanish ¿?, full stop, colon, semicolon, raya": _spanish,
}

APOSTROPHE = ("the code has one apostrophe sign: liblouis translates it back as \u2019 whether the print "
              "had ' or \u2019")

#: locale -> its table, or why it has none. Each was tried on its whole catalog.
BRAILLE: dict[str, Table | NoTable] = {
    "en": Table("en-ueb-g2.ctb", "Unified English Braille, contracted", "UEB contracted: apostrophe, words "
                "read back wrongly", APOSTROPHE + "; liblouis 3.24 reads a few contractions back wrongly (listed "
                "in UEB_READ_BACK with their cells) and the colon of https:// as cc"),
    "ar": NoTable("liblouis 3.24's ar-ar-g1 writes the Latin letters of the web address as Arabic ones, "
                  "with no sign that they are Latin (https is read as هتتpس), and no table here writes that sign"),
    "de": Table("de-g0.utb", "German braille, uncontracted (Vollschrift)", "case, dash spacing",
                "German braille (Vollschrift) does not mark capitals, and liblouis 3.24 drops the space before "
                "a dash when it translates back (the dash and the words come back)"),
    "es": Table("es-g1.ctb", "Spanish braille, uncontracted (CBE)", "Spanish ¿?, full stop, colon, semicolon, raya",
                "Spanish braille writes ¿ and ? alike (⠢) and the full stop and the apostrophe alike (⠄); "
                "liblouis 3.24 reads ⠢, the colon (⠒) and the semicolon (⠆) back as the lowered digits 5, 3 and 2 they also are, "
                "and the raya (⠤⠤) back as the control character U+0097"),
    "fa": NoTable("liblouis 3.24's fa-ir-g1 writes the Latin letters of the web address with dot 8, which a "
                  "six-dot BRF cannot hold, and no table here writes Persian braille's sign for Latin letters"),
    "fr": Table("fr-bfu-comp6.utb", "French braille, uncontracted (BFU, 6 dots)", "apostrophe", APOSTROPHE),
    "hi": NoTable("liblouis 3.24's hi-in-g1 cannot be checked: it reads ण back as a number sign (dropped), ख "
                  "after a letter as a full stop, and the web address (English between ⠸⠬ and ⠸⠱) as Devanagari; "
                  "tolerating that would let lost letters through"),
    "ko": NoTable("liblouis 3.24's ko-g1 and ko-2006-g1 read Korean braille back as other syllables and Latin "
                  "letters (이 as o, 다. as 닾): its braille cannot be checked"),
    "pl": Table("Pl-Pl-g1.utb", "Polish braille, uncontracted", "Polish punctuation, number after a point",
                "Polish braille writes ( and ) alike (⠶), the full stop and the apostrophe alike (⠄), the hyphen "
                "and the dashes alike (⠤); liblouis 3.24 reads 1.2 (⠼⠁⠄⠃, the number sign holding across the "
                "point) back as 1.b"),
    "pt_BR": Table("pt-pt-g1.utb", "Portuguese braille, uncontracted (Grafia Braille da Língua Portuguesa)",
                   "Portuguese §, travessão, number after a point",
                   "Portuguese braille writes § as ⠎⠎, so ss comes back as §; liblouis 3.24 reads the travessão "
                   "(⠤⠤) back as --, and 1.2 (⠼⠁⠄⠃) back as 1.b"),
    "ro": NoTable("liblouis 3.24 has only an 8-dot Romanian table, whose capital signs a BRF cannot hold"),
    "tr": Table("tr-g1.ctb", "Turkish braille, uncontracted"),
    "uk": NoTable("liblouis 3.24's uk.utb writes і, ї, є and ґ with a dot 9 that only ru-brf.dis shows (as "
                  "⠽ ⠹ ⠜ ⠻), and reads those cells back as y, #, ) and ∞: its braille cannot be checked"),
    "vi": NoTable("liblouis 3.24's vi-vn-g0 and vi-vn-g1 read Vietnamese braille back with letters lost or "
                  "replaced (lăn as lă, để as private-use characters): its braille cannot be checked"),
    "zh_Hans": NoTable("Chinese braille spells sounds, not characters: it cannot be translated back to "
                       "the catalog's text to be checked"),
}

NO_TABLE = NoTable("no braille table has been chosen for this language")


def choice(locale: str) -> Table | NoTable:
    return BRAILLE.get(locale, NO_TABLE)


def normalise(table: Table, text: str) -> str:
    """The text as the gate compares it: Unicode NFC, white space as single spaces, then the
    table's own tolerance."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return NORMALISERS[table.tolerance](text)


def table_folders() -> list[Path]:
    """Where liblouis looks for tables: LOUIS_TABLEPATH's folders if it is set (in place of
    Debian's folder, as liblouis does), else Debian's."""
    listed = [Path(folder) for folder in os.environ.get("LOUIS_TABLEPATH", "").split(",") if folder]
    return listed or [SYSTEM_TABLES]


def find_table(name: str) -> Path | None:
    for folder in table_folders():
        if (folder / name).is_file():
            return folder / name
    return None


def table_digest(name: str) -> str:
    """SHA-256 of a table and every table it includes, as liblouis would find them now."""
    return _digest(name, tuple(str(folder) for folder in table_folders()))


@lru_cache(maxsize=64)
def _digest(name: str, _folders: tuple) -> str:
    digest, seen, waiting = hashlib.sha256(), set(), [name]
    while waiting:
        current = waiting.pop(0)
        if current in seen:
            continue
        seen.add(current)
        path = find_table(current)
        if path is None:
            digest.update(f"{current}: missing\n".encode())
            continue
        data = path.read_bytes()
        digest.update(current.encode() + b"\0" + hashlib.sha256(data).digest())
        waiting += [included.decode("utf-8", "replace")
                    for included in re.findall(rb"^[ \t]*include[ \t]+(\S+)", data, flags=re.MULTILINE)]
    return digest.hexdigest()


@lru_cache(maxsize=1)
def liblouis_version() -> str | None:
    """lou_translate's version ("3.24.0"), or None where liblouis is not installed."""
    try:
        found = subprocess.run(["lou_translate", "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+\.\d+\.\d+)", found.stdout)
    return match.group(1) if match else None
