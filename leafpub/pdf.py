"""HTML -> Pdf with WeasyPrint: only the pinned fonts, only local assets, and no warning let through."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import fonts, fontsubset, sources
from .libraries import found_by_loader_cache
from .model import BLEED_MM, Pdf, Settings
from .problems import Problem, ProblemError

with found_by_loader_cache():  # WeasyPrint loads Pango, HarfBuzz and fontconfig on import
    from weasyprint import CSS, HTML
    from weasyprint.pdf.fonts import Font
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_ASSET_BYTES = 5 * 1024 * 1024
#: Where documents find templates/ (its assets, the stylesheet): the same on every machine,
#: because WeasyPrint names each image in the PDF after its URL, and the same inputs must
#: give the same bytes wherever the project is checked out.
TEMPLATES_URL = "file:///leafpub/templates/"
STYLESHEET = "leaflet.css"  #: in templates/; applied to every document
#: Our variants -> WeasyPrint's PDF variants: tagged PDF/UA-1 (with /Lang, /Title,
#: DisplayDocTitle) for reading; PDF/X-4 for print shops.
PDF_VARIANTS = {"standard": "pdf/ua-1", "large-print": "pdf/ua-1", "print": "pdf/x-4",
                # A standard pack's leaflets, cover and boxes: the pack carries no structure
                # tree (merging drops it), so theirs is not built.
                "pack-part": None}


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
        reuse_font_subsets()
        self.settings = settings
        self.font_config = FontConfiguration()
        #: The language of the last document, when it loaded a large (CJK) face
        self.large_face_locale: str | None = None
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
        self.font_config, self.large_face_locale = FontConfiguration(), None

    def render(self, html: str, *, source: str, variant: str = "standard", locale: str | None = None,
               leaflet: str | None = None, faces_of: str | None = None) -> Pdf:
        return self.render_with_anchors(html, source=source, variant=variant, locale=locale,
                                        leaflet=leaflet, faces_of=faces_of)[0]

    def render_with_anchors(self, html: str, *, source: str, variant: str = "standard",
                            locale: str | None = None, leaflet: str | None = None,
                            faces_of: str | None = None):
        """Render one document; any WeasyPrint warning (missing glyph, refused fetch,
        bad CSS) makes it a problem for `source` instead of a quietly broken PDF.
        Also returns where elements with an id are: {id: (page, left, top, right, bottom)}
        in points from the top-left of the trim box. `faces_of` names the language whose
        large (CJK) face a document without one of its own (a pack's cover or boxes) may
        keep loaded for the next; by default, the document's language."""
        faces_of = faces_of or locale
        if self.large_face_locale is not None and self.large_face_locale != faces_of:
            self.forget_fonts()
        # PDF/X gives a random file identifier unless told one: derive it from the input,
        # so that the same input always gives the same bytes.
        identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
        with captured_warnings() as warnings:
            document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
                font_config=self.font_config, stylesheets=[self.stylesheet])
            data = document.write_pdf(pdf_variant=PDF_VARIANTS[variant], pdf_identifier=identifier,
                                      finisher=lambda document, pdf: finish_pdf(pdf, variant, identifier))
        pages = len(document.pages)
        anchors = {}
        for index, page in enumerate(document.pages):
            for name, (left, top, right, bottom) in page.anchors.items():
                anchors.setdefault(name, (index, left * 0.75, top * 0.75, right * 0.75, bottom * 0.75))
        if any(font.glyph_count > fonts.LARGE_FACE for font in getattr(document, "fonts", {}).values()):
            # A worker that keeps a CJK face loaded carries it into every later document
            # (about 40 MiB a face). The next document in the same language (a leaflet's
            # other papers and variants, the next pack with a box in it) uses it again, 30 ms
            # sooner (more than 0.1 s for a pack); any other lets it go.
            self.large_face_locale = faces_of
            if faces_of is None:
                self.forget_fonts()
        del document
        if warnings:
            raise ProblemError([Problem(source, None, f"rendering failed: {message}",
                                        locale=locale, leaflet=leaflet)
                                for message in dict.fromkeys(warnings)])
        return Pdf(data=data, pages=pages), anchors


_subsets: OrderedDict[tuple, bytes] = OrderedDict()
#: Bytes of font subsets a worker keeps, the last used: a leaflet's formats share theirs.
#: (WeasyPrint's subset of a CJK face is 0.8 MB: a count alone let 25 MB pile up.)
SUBSET_BYTES_KEPT = 3 * 1024 * 1024


def reuse_font_subsets() -> None:
    """Let WeasyPrint reuse, in this process, a font subset it has cut before.

    WeasyPrint cuts each font of each document down to the glyphs it draws
    (`weasyprint.pdf.fonts.Font.subset`, with HarfBuzz): 1.5 s of the renders of a cold
    build. A leaflet's papers and variants draw the same glyphs, so three cuts in four
    had been made before. A cut depends only on the font file and face, the glyphs, the
    hinting option and whether a glyph was missing: it is kept by those, and the PDF is
    byte for byte the same (tests/test_pdf.py). Only cuts that succeeded are kept: a
    failed one warns again, and the warning fails the document as before.
    (Plain WeasyPrint, as the benchmark runs it, cuts every time: it never calls this.)"""
    cut = Font.subset
    if getattr(cut, "reuses_subsets", False):
        return

    def subset(font, to_unicode, hinting):
        if not to_unicode:
            return cut(font, to_unicode, hinting)
        content = font.file_content
        # The start of a font file holds its table directory, with every table's checksum.
        key = (hashlib.sha256(content[:65536]).digest(), len(content), font.index, frozenset(to_unicode),
               bool(hinting), bool(font.missing))
        if key in _subsets:
            _subsets.move_to_end(key)
            font.file_content = _subsets[key]
            return None
        cut(font, to_unicode, hinting)
        if font.file_content is not content:
            _subsets[key] = font.file_content
            while sum(map(len, _subsets.values())) > SUBSET_BYTES_KEPT:
                _subsets.popitem(last=False)
        return None

    subset.reuses_subsets = True
    Font.subset = subset


def finish_pdf(pdf, variant: str, identifier: bytes) -> None:
    """What WeasyPrint's PDF (its pydyf objects, before they are written) still needs:
    CJK fonts cut down to the glyphs used, and for print shops, the boxes and identifiers
    below. Then its streams are deflated, once."""
    fontsubset.compact_cid_fonts(pdf)
    if variant == "print":
        finish_print_pdf(pdf, BLEED_MM, identifier)
    join_touching_glyphs(pdf)
    deflate_once(pdf)


def join_touching_glyphs(pdf) -> None:
    """WeasyPrint shows each glyph of a line as a string of its own, with a 0 between two
    that touch: `[<0051>0<0044>0<0003>-9<0052>] TJ`. Moving a glyph by 0 moves nothing, so
    `[<005100440003>-9<0052>] TJ` draws the same glyphs in the same places (ISO 32000-1,
    9.4.3). A leaflet's drawing is then a quarter shorter, and Ghostscript, which shows
    each string on its own, reads it a fifth faster."""
    import pydyf

    for obj in pdf.objects[1:]:
        if isinstance(obj, pydyf.Stream):
            obj.stream = [chunk.replace(b">0<", b"").replace(b">0]", b">]")
                          if isinstance(chunk, bytes) and chunk.startswith(b"[<") and chunk.endswith(b"] TJ")
                          else chunk for chunk in obj.stream]


_deflated: OrderedDict[bytes, bytes] = OrderedDict()
DEFLATED_KEPT = 32  #: large streams a worker keeps deflated (the print profile, font subsets)
LARGE_STREAM = 4096  #: bytes; a smaller stream is deflated without looking it up


def deflate_once(pdf) -> None:
    """Deflate every stream of WeasyPrint's PDF now, exactly as pydyf would, so that it is
    written as it is. pydyf deflates a stream each time it is written, and a PDF with an
    identifier (PDF/UA, PDF/X) is written twice: to the file, and again to hash it for
    the identifier. That doubled a leaflet's deflating (11 ms of 22 for a print one).
    A large stream this worker has deflated before (the 187 KB print profile in every
    print PDF, a font subset shared by a leaflet's papers and variants) is not deflated
    again. The bytes of the PDF are the same."""
    import zlib

    import pydyf

    for obj in pdf.objects[1:]:
        if not isinstance(obj, pydyf.Stream) or not obj.compress or "Filter" in obj.extra:
            continue
        data = b"\n".join(pydyf._to_bytes(item) for item in obj.stream)  # as Stream.data joins them
        key = hashlib.sha256(data).digest() if len(data) >= LARGE_STREAM else None
        if key in _deflated:
            _deflated.move_to_end(key)
            deflated = _deflated[key]
        else:
            compressor = zlib.compressobj(level=9)  # as Stream.data deflates
            deflated = compressor.compress(data) + compressor.flush()
            if key:
                _deflated[key] = deflated
                while len(_deflated) > DEFLATED_KEPT:
                    _deflated.popitem(last=False)
        obj.stream, obj.compress = [deflated], False
        obj.extra["Filter"] = "/FlateDecode"


def finish_print_pdf(pdf, bleed_mm: float, identifier: bytes) -> None:
    """Make WeasyPrint's PDF/X-4 what a print shop expects, and reproducible:
    - each page's BleedBox is the TrimBox plus `bleed_mm` (WeasyPrint makes it the whole
      page, crop marks included);
    - the XMP DocumentID, random in WeasyPrint's PDF/X output, is derived from the input."""
    import pydyf

    bleed = bleed_mm * 72 / 25.4
    hexadecimal = identifier.decode("ascii")
    uuid = "-".join((hexadecimal[:8], hexadecimal[8:12], hexadecimal[12:16], hexadecimal[16:20],
                     hexadecimal[20:32]))
    for obj in pdf.objects[1:]:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page" and "TrimBox" in obj:
            xs, ys = obj["TrimBox"][0::2], obj["TrimBox"][1::2]
            obj["BleedBox"] = pydyf.Array([min(xs) - bleed, min(ys) - bleed, max(xs) + bleed,
                                           max(ys) + bleed])
        elif isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
            xmp = b"\n".join(item if isinstance(item, bytes) else str(item).encode() for item in obj.stream)
            obj.stream = [re.sub(rb"xmp\.did:[0-9a-fA-F-]+", b"xmp.did:" + uuid.encode("ascii"), xmp)]


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
