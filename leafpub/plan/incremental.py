"""Everything that determines a document -> its key; rendered PDFs kept by key in output/.cache.

A document is rendered again only when its key changes, and the build says which of its
inputs changed: the English leaflet, its language's messages, the templates and CSS, the
fonts, the settings of its format, or the versions of the libraries that draw it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..formats import formats
from .. import internals, sources
from ..catalogs.catalogs import needed_messages
from ..content.elements import figures_of
from ..model import Leaflet, LocaleCatalog, Pdf, Settings

#: What this code puts into a PDF, by number: raise it with any change to the code that
#: changes a PDF's bytes, so that no PDF cached by the code before is published again.
RENDERING_REVISION = 6

LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "tinyhtml5", "fonttools", "uharfbuzz", "pypdf", "pikepdf",
             "jinja2", "babel", "markdown-it-py", "segno", "leafpub")

REASONS = {
    "leaflet": "the English leaflet changed",
    "messages": "its translations changed",
    "templates": "the templates or CSS changed",
    "fonts": "the pinned fonts or colour profile changed",
    "format": "its format or clinic details changed",
    "software": "library versions changed",
    "parts": "leaflets in it changed",
    "boxes": "its clinic boxes changed",
    "site": "the site's address (site-url), which its QR code opens, changed",
    "clinical": "its clinical sign-off changed",
    "table": "its braille table changed",
}


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
                          .encode("utf-8")).hexdigest()


def document_key(inputs: dict) -> str:
    return digest(inputs)


def why(inputs: dict, previous: dict | None) -> str:
    """Why a document is rendered: what changed since the published one was made."""
    if not previous:
        return "new"
    changed = [REASONS.get(name, name) for name in inputs if previous.get(name) != inputs[name]]
    return "; ".join(changed) or "its cached PDF was missing"


@dataclass
class Inputs:
    """Digests shared by many documents, each computed once per build."""

    settings: Settings
    template_messages: tuple
    _memo: dict = field(default_factory=dict, repr=False)

    @cached_property
    def templates(self) -> str:
        folder = self.settings.templates_dir
        files, _ = sources.tree(self.settings.root, folder)  # the build refuses the others first
        return digest([(str(path.relative_to(folder)), hashlib.sha256(path.read_bytes()).hexdigest())
                       for path in files])

    @cached_property
    def fonts(self) -> str:
        pinned = [font.sha256 for font in self.settings.fonts]
        profile = self.settings.print_profile.sha256 if self.settings.print_profile else ""
        return digest([pinned, profile, dict(self.settings.scripts)])

    @cached_property
    def site(self) -> str:
        """The address output/ is served from: every printed leaflet's QR code opens it."""
        return digest(self.settings.site_url)

    @cached_property
    def software(self) -> str:
        """The libraries' versions, this code's rendering revision and the uses of other
        libraries' internals turned off by hand: each changes the bytes of a PDF."""
        versions = {"rendering": RENDERING_REVISION, "internals off": sorted(internals.switched_off)}
        for name in LIBRARIES:
            try:
                versions[name] = version(name)
            except PackageNotFoundError:
                versions[name] = None
        return digest(versions)

    def leaflet(self, leaflet: Leaflet) -> str:
        key = ("leaflet", leaflet.slug)
        if key not in self._memo:  # every language and format of a leaflet shares it
            # Its figures' SVGs too: a redrawn figure renders the leaflet again.
            figures = [figure.digest for figure in figures_of(leaflet)]
            self._memo[key] = hashlib.sha256((self.settings.root / leaflet.path).read_bytes()
                                             + "".join(figures).encode()).hexdigest()
        return self._memo[key]

    def messages(self, leaflet: Leaflet, catalog: LocaleCatalog) -> str:
        """The translations this leaflet prints, and whether they are approved."""
        # The statement on other formats is a message the catalog may not have yet (formats.py).
        statement = formats.statement(catalog, formats.online_kinds(catalog.language.locale))
        if catalog.is_source:
            return "source" if statement == formats.OFFLINE_STATEMENT else digest(["source", statement])
        key = ("messages", leaflet.slug, catalog.language.locale)
        if key not in self._memo:  # shared by the six formats of a leaflet in a language
            keys = set(needed_messages([leaflet], self.template_messages)) | {statement}
            self._memo[key] = digest([catalog.review.state,
                                      sorted((msgid, catalog.strings.get(msgid)) for msgid in keys)])
        return self._memo[key]

    def document(self, leaflet: Leaflet, catalog: LocaleCatalog, format_settings: dict) -> dict:
        return {"leaflet": self.leaflet(leaflet), "messages": self.messages(leaflet, catalog),
                "templates": self.templates, "fonts": self.fonts, "software": self.software,
                "format": digest(format_settings), "site": self.site,
                # Whether the "not yet approved by a clinician" line is printed (signoff.attach).
                "clinical": "signed off" if leaflet.clinical else "not signed off"}


class RenderCache:
    """Rendered PDFs by key, in output/.cache: what lets a rebuild render only what changed.
    Never published; entries not used by the last build are removed."""

    def __init__(self, output: Path):
        self.folder = output / ".cache"
        self.used: set[str] = set()

    def get(self, key: str) -> tuple[Pdf, tuple | None] | None:
        pdf_path, info_path = self.folder / f"{key}.pdf", self.folder / f"{key}.json"
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            data = pdf_path.read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(data).hexdigest() != info.get("sha256"):
            return None
        self.used.add(key)
        anchor = tuple(info["anchor"]) if info.get("anchor") else None
        return Pdf(data=data, pages=info["pages"]), anchor

    def put(self, key: str, pdf: Pdf, anchor: tuple | None = None) -> None:
        """Keep a rendered PDF; a full or read-only disk only costs the next build time."""
        try:
            self.write(self.folder / f"{key}.pdf", pdf.data)
            self.write(self.folder / f"{key}.json", json.dumps(
                {"sha256": hashlib.sha256(pdf.data).hexdigest(), "pages": pdf.pages,
                 "anchor": list(anchor) if anchor else None}).encode("utf-8"))
        except OSError:
            return
        self.used.add(key)

    @staticmethod
    def write(path: Path, data: bytes) -> None:
        """Replace a cache file whole, without waiting for the disk: after a crash, an entry
        whose bytes do not match its recorded SHA-256 is ignored and rendered again. (A build
        with hundreds of clinics writes thousands of entries; fsync-ing each cost seconds.)"""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)

    def prune(self) -> None:
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix == ".tmp" or (path.stem not in self.used and path.suffix in (".pdf", ".json")):
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    return
