"""The frozen objects handed from one stage of the pipeline to the next."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from babel.support import NullTranslations

from .variants import BY_NAME, Format

# -- settings ---------------------------------------------------------------

@dataclass(frozen=True)
class PinnedFile:
    """A system file the PDFs use (a font, a colour profile), pinned by checksum to one
    release of its package, so that the same input gives the same PDF on every machine."""

    path: Path
    sha256: str
    package: str  #: the Debian package that installs it


@dataclass(frozen=True)
class Settings:
    """The project: where its folders are and how it is configured (pyproject.toml)."""

    root: Path
    source_locale: str
    paper: str
    scripts: Mapping[str, tuple[str, ...]]  #: ISO 15924 script -> font families
    fonts: tuple[PinnedFile, ...]
    print_profile: PinnedFile | None = None  #: CMYK output intent of print-shop PDFs
    review_alert_months: int = 6  #: `status` and the download page flag reviews due this soon
    site_url: str = "https://leaflets.example.org/"  #: where output/ is served, ending in "/"

    @property
    def leaflets_dir(self) -> Path:
        return self.root / "leaflets"

    @property
    def translations_dir(self) -> Path:
        return self.root / "translations"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def proofs_dir(self) -> Path:
        """Translators' proofs and review sheets: never where published leaflets go."""
        return self.root / "proofs"

    @property
    def packs_file(self) -> Path:
        return self.root / "packs.toml"

    @property
    def babel_cfg(self) -> Path:
        return self.root / "babel.cfg"

    @property
    def pot_file(self) -> Path:
        return self.translations_dir / "messages.pot"

    def relative(self, path: Path) -> str:
        """A path as a user would type it from the project root: links are not followed, so
        a linked file is named where it stands, never by its target."""
        try:
            return Path(os.path.normpath(self.root / path)).relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


#: The language leaflets are written in, unless pyproject.toml says otherwise.
DEFAULT_SOURCE_LOCALE = "en"


# -- names ---------------------------------------------------------------------

#: A leaflet's slug (its file name) and a pack's id: they become file names and URLs.
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
#: A leaflet's version (2.1, 2026-03, 1.2-rc1): it names its folder of the archive.
VERSION = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,38}[A-Za-z0-9])?")


# -- formats ----------------------------------------------------------------

#: packs.toml's `sides`: printed double-sided, each leaflet starts on a front page.
PACK_SIDES = {"two": 2, "one": 1}


# -- content ----------------------------------------------------------------

@dataclass(frozen=True)
class SourceText:
    """One translatable message of a leaflet: its title, a heading, paragraph or list item."""

    text: str  #: the English text, with the leaflet format's inline markup
    line: int  #: 1-based line in the leaflet file
    context: str  #: where it stands, for the translator's comment


@dataclass(frozen=True)
class Paragraph:
    text: SourceText

    def messages(self) -> Iterator[SourceText]:
        yield self.text


@dataclass(frozen=True)
class BulletList:
    items: tuple[SourceText, ...]

    def messages(self) -> Iterator[SourceText]:
        yield from self.items



@dataclass(frozen=True)
class Section:
    heading: SourceText | None  #: None for the introduction before the first heading
    blocks: tuple  #: Paragraph, BulletList, or elements.py's Steps, Box, Table and Figure


@dataclass(frozen=True)
class Leaflet:
    """A canonical leaflet read from leaflets/<slug>.md."""

    slug: str
    path: str  #: relative to the project root
    title: SourceText
    version: str
    last_reviewed: date
    next_review: date
    owner: str
    page_budget: int  #: the most pages one language's leaflet may take
    sections: tuple[Section, ...]
    large_print_budget: int = 0  #: the same for the large-print variant
    change_note: str = ""  #: what changed in this version and why, by the clinician
    withdrawn: date | None = None  #: from this date, no longer published
    clinical: SignOff | None = None  #: a clinician's sign-off of this English (signoff.attach), if any

    def budget(self, variant: str) -> int:
        return self.large_print_budget if BY_NAME[variant].large_print else self.page_budget

    def messages(self) -> Iterator[SourceText]:
        """Every translatable text, in reading order."""
        yield self.title
        for section in self.sections:
            if section.heading:
                yield section.heading
            for block in section.blocks:
                yield from block.messages()



# -- languages and catalogs ---------------------------------------------------

@dataclass(frozen=True)
class Language:
    """What the documents of one locale need to know about its language (from CLDR)."""

    locale: str  #: as the catalog folder is named: "zh_Hans", "pt_BR"
    tag: str  #: BCP 47, for lang attributes and /Lang: "zh-Hans", "pt-BR"
    direction: str  #: "ltr" or "rtl"
    script: str  #: ISO 15924: "Latn", "Arab", "Hans"
    native_name: str  #: the language's own name in its own script
    english_name: str
    numbering: str = "latn"  #: CLDR numbering system for digits: "latn", "arabext"...


@dataclass(frozen=True)
class Review:
    """Whether a qualified reviewer approved the catalog as it is now."""

    state: str  #: "source", "draft" or "approved"
    approved_by: str | None = None
    approved_on: date | None = None
    reason: str = ""  #: why it is a draft
    back_translation: str | None = None  #: SHA-256 of the back-translation the approval was given with

    @property
    def approved(self) -> bool:
        return self.state in ("source", "approved")


@dataclass(frozen=True)
class LocaleCatalog:
    """The translations of one locale, checked and ready to use."""

    language: Language
    path: str | None  #: the .po file relative to the project root; None for the source locale
    translations: NullTranslations
    #: msgid -> 1-based line of its entry in the .po file
    lines: Mapping[str, int] = field(default_factory=dict)
    #: msgid (the singular, for plurals) -> its usable translation(s): not fuzzy, not empty
    strings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: msgid -> translation(s) still marked fuzzy (shown, highlighted, only in proofs)
    fuzzy: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: msgid -> its English (singular, plural) for every message in the catalog
    messages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: what keeps it from being published: failed checks, fuzzy or untranslated messages
    problems: tuple = ()
    digest: str = ""  #: SHA-256 of its messages, which an approval is bound to
    review: Review = Review(state="source")

    @property
    def is_source(self) -> bool:
        return self.path is None

    @property
    def translated(self) -> frozenset[str]:
        return frozenset(self.strings)


# -- packs --------------------------------------------------------------------

@dataclass(frozen=True)
class Clinic:
    """A clinic's contact details, printed in the contact box of its leaflets."""

    name: str
    address: tuple[str, ...] = ()
    phone: str = ""
    hours: str = ""
    email: str = ""
    website: str = ""
    logo: str = ""  #: an image in templates/assets/, e.g. "logos/riverside.png"


@dataclass(frozen=True)
class Pack:
    """A clinic's pack: some leaflets in some languages, merged into one PDF."""

    id: str
    title: str
    clinic: Clinic
    leaflets: tuple[str, ...]
    locales: tuple[str, ...]
    paper: str
    line: int  #: where the pack is declared in packs.toml
    variant: str = "standard"  #: "standard" or "print"
    sides: int = 2  #: 2: a blank back page where a part would start on one
    #: where its keys are, for problems: {"leaflets": 5, "locales": 6}
    key_lines: Mapping[str, int] = field(default_factory=dict)


# -- documents ----------------------------------------------------------------

@dataclass(frozen=True)
class Pdf:
    """A rendered PDF and what the pipeline needs to know about it."""

    data: bytes
    pages: int


@dataclass(frozen=True)
class LeafletDocument:
    """One leaflet in one language and format, for the download or one clinic's pack."""

    leaflet: Leaflet
    language: Language
    format: Format
    title: str  #: translated title
    pdf: Pdf
    clinic: Clinic | None = None
    translation: str = "source"  #: "source", "draft" or "approved"
    inputs: Mapping[str, str] = field(default_factory=dict)  #: digests of what determines it

    @property
    def path(self) -> str:
        """Where it is published, relative to output/."""
        return leaflet_path(self.leaflet.slug, self.language.locale, self.format)


def leaflet_path(slug: str, locale: str, format: Format) -> str:
    """Where a leaflet in a language and format is published, relative to output/."""
    return f"leaflets/{slug}/{slug}.{locale}.{format.suffix}.pdf"


@dataclass(frozen=True)
class PackPart:
    """One leaflet in one language inside a clinic's pack: the generic PDF with its contact
    box left empty. The clinic's box to lay into it is rendered with the pack's cover."""

    slug: str
    leaflet_title: str  #: the canonical title, for the pack's outline
    language: Language
    title: str  #: translated title
    base: Pdf
    base_key: str  #: the base's cache key: many clinics' packs share one base
    anchor: tuple[int, float, float]  #: where the empty box begins: page, left, top


@dataclass(frozen=True)
class PackDocument:
    pack: Pack
    pdf: Pdf
    inputs: Mapping[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"packs/{self.pack.id}.{Format(self.pack.paper, self.pack.variant).suffix}.pdf"


# -- what a build did not make, and who signed off ---------------------------

@dataclass(frozen=True)
class Failure:
    """A document that could not be built this time, and why."""

    kind: str  #: "leaflet", "pack" or "format"
    key: tuple  #: (slug, locale, paper, variant) for a leaflet's document, (pack id,) for a pack,
    #: (slug, locale, kind) for a format's file
    reason: str


@dataclass(frozen=True)
class SignOff:
    """Who approved a leaflet's clinical content, on which day, for which English (its bytes' SHA-256)."""

    slug: str
    by: str
    on: date
    version: str
    sha256: str
    text: str  #: the English signed off, whole: what a later sign-off sheet compares with
    line: int  #: where its table starts in the record
    figures: str = ""  #: SHA-256 of the figures' SVG files it shows: a redrawn figure needs a new sign-off

    def summary(self) -> dict:
        """What the manifest says of it."""
        return {"by": self.by, "date": self.on.isoformat(), "version": self.version}

