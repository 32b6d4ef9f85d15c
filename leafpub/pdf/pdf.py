"""HTML -> Pdf with WeasyPrint: only the pinned fonts, only local assets, and no warning let through."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import actualtext
from .. import fonts, sources
from ..internals import cid_fonts, font_files, print_boxes, tag_languages, text_clusters
from ..variants import BLEED_MM, BY_NAME
from ..model import Pdf, Settings
from ..problems import Problem, ProblemError

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_ASSET_BYTES = 5 * 1024 * 1024
#: Where documents find templates/ (its assets, the stylesheet): the same on every machine,
#: because WeasyPrint names each image in the PDF after its URL, and the same inputs must
#: give the same bytes wherever the project is checked out.
TEMPLATES_URL = "file:///leafpub/templates/"
STYLESHEET = "leaflet.css"  #: in templates/; applied to every document


def make_asset_fetcher(root: Path, folder: Path, pinned: frozenset[Path] = frozenset()):
    """A WeasyPrint URL fetcher that serves `data:` URLs and regular files inside one folder
    (reached through TEMPLATES_URL, or by its own path).

    Everything else (other files, ../ tricks, symbolic links, devices, http, ftp...) is
    refused (sources.py is the rule), so no input can put a local file into a PDF or make the build fetch a URL.
    `pinned` names the only other files it serves (the configured colour profile).
    WeasyPrint logs each refusal, and the renderer turns that into a problem.
    """
    class AssetFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.folder = folder

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"refused to fetch {url[:80]!r}: only the project's own assets are allowed")
            local = unquote(parts.path)
            virtual = urlsplit(TEMPLATES_URL).path
            if local.startswith(virtual):
                local = str(self.folder / local[len(virtual):])
            path = Path(os.path.normpath(local))
            if path in pinned:
                body = path.read_bytes()
            elif path.is_relative_to(self.folder):
                try:
                    body = sources.read(root, path, MAX_ASSET_BYTES)
                except ProblemError as error:
                    raise ValueError(f"refused to read {error.problems[0]}") from None
            else:
                raise ValueError(f"refused to read {url[:80]!r}: not a file in {self.folder.name}/")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=body, headers={"Content-Type": content_type})

    return AssetFetcher()


class PdfRenderer:
    """Renders HTML documents in this process, reusing one font configuration."""

    def __init__(self, settings: Settings):
        fonts.use_pinned_fonts(settings)
        self.settings = settings
        self.font_config = FontConfiguration()
        #: The language whose documents the loaded fonts serve (None: no document yet, or
        #: one of no language, after which the fonts were let go)
        self.fonts_of: str | None = None
        profile = settings.print_profile
        self.fetcher = make_asset_fetcher(settings.root, settings.templates_dir,
                                          frozenset([profile.path.resolve()] if profile else []))
        self.base_url = TEMPLATES_URL
        # Every document uses the same stylesheet: parsed once per worker, not per document.
        with captured_warnings() as warnings:
            self.stylesheet = CSS(string=sources.read(settings.root, settings.templates_dir / STYLESHEET)
                                  .decode("utf-8"), base_url=self.base_url, url_fetcher=self.fetcher)
        if warnings:
            raise ProblemError([Problem(f"templates/{STYLESHEET}", None, message)
                                for message in dict.fromkeys(warnings)])

    def forget_fonts(self) -> None:
        """A fresh font configuration: the faces loaded so far are let go."""
        self.font_config, self.fonts_of = FontConfiguration(), None

    def render(self, html: str, *, source: str, variant: str = "standard", locale: str | None = None,
               leaflet: str | None = None, faces_of: str | None = None) -> Pdf:
        return self.render_with_anchors(html, source=source, variant=variant, locale=locale,
                                        leaflet=leaflet, faces_of=faces_of)[0]

    def render_with_anchors(self, html: str, *, source: str, variant: str = "standard",
                            locale: str | None = None, leaflet: str | None = None,
                            faces_of: str | None = None):
        """Render one document; any WeasyPrint warning (missing glyph, refused fetch,
        bad CSS) makes it a problem for `source` instead of a quietly broken PDF.
        Also returns where elements with an id begin: {id: (page, left, top)} in points
        from the top-left of the trim box.

        The fonts loaded serve the next document in the same language (a leaflet's other
        papers and variants; the next pack with a box in the same CJK face) and are let go
        before any other: a CJK face loaded in a worker would otherwise stay in every later
        document's memory. `faces_of` names the language a document without one of its own
        (a pack's cover or boxes) keeps its fonts for; by default, the document's language."""
        faces_of = faces_of or locale
        if self.fonts_of is not None and self.fonts_of != faces_of:
            self.forget_fonts()
        # PDF/X gives a random file identifier unless told one: derive it from the input,
        # so that the same input always gives the same bytes.
        identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
        spans_before = text_clusters.spans_drawn()
        with captured_warnings() as warnings, text_clusters.applied(), tag_languages.applied(), font_files.applied():
            document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
                font_config=self.font_config, stylesheets=[self.stylesheet])
            data = document.write_pdf(pdf_variant=BY_NAME[variant].pdf_standard, pdf_identifier=identifier,
                                      finisher=lambda document, pdf: finish_pdf(pdf, variant, identifier))
        if text_clusters.spans_drawn() != spans_before:
            data = actualtext.give_spans_codes(data)
        pages = len(document.pages)
        # Page.anchors: {name: (x, y)} in CSS pixels from the page's top-left (documented as a
        # point; only the point is used).
        anchors = {}
        for index, page in enumerate(document.pages):
            for name, (left, top, *_) in page.anchors.items():
                anchors.setdefault(name, (index, left * 0.75, top * 0.75))
        self.fonts_of = faces_of
        if faces_of is None:
            self.forget_fonts()
        del document
        if warnings:
            raise ProblemError([Problem(source, None, f"rendering failed: {message}",
                                        locale=locale, leaflet=leaflet)
                                for message in dict.fromkeys(warnings)])
        return Pdf(data=data, pages=pages), anchors


def finish_pdf(pdf, variant: str, identifier: bytes) -> None:
    """What WeasyPrint's PDF (its pydyf objects, before they are written) still needs: CJK
    fonts cut down to the glyphs used, and for print shops, the bleed box and a reproducible
    identifier. Each is in leafpub/internals/ but the header cells' scope."""
    cid_fonts.compact_cid_fonts(pdf)
    give_header_cells_scope(pdf)
    if variant == "print":
        print_boxes.finish_print_pdf(pdf, BLEED_MM, identifier)




@contextmanager
def captured_warnings():
    """Collect WeasyPrint's log warnings and errors (it logs instead of raising)."""
    messages: list[str] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(" ".join(record.getMessage().split())[:300])

    logger = logging.getLogger("weasyprint")
    handler = Collector(level=logging.WARNING)
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def give_header_cells_scope(pdf) -> None:
    """Each table header cell's /Scope, which PDF/UA-1 asks of a TH: WeasyPrint links cells to
    their headers (/Headers) and names each header cell "table-row-column" (/ID), but writes no
    scope. Our tables (leaflet-parts.html, the pack cover) have a header row first and, below it,
    a header cell at the start of each row."""
    import pydyf

    for element in pdf.objects:
        if isinstance(element, pydyf.Dictionary) and element.get("S") == "/TH" and "ID" in element:
            row = str(getattr(element["ID"], "string", element["ID"])).split("-")[1]
            element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = "/Column" if row == "0" else "/Row"
