"""HTML -> Pdf with WeasyPrint: only the pinned fonts, only local assets, and no warning let through."""

from __future__ import annotations

import gc
import hashlib
import logging
import mimetypes
import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .model import Pdf, Settings
from .problems import Problem, ProblemError

MAX_ASSET_BYTES = 5 * 1024 * 1024
PDF_VARIANT = "pdf/ua-1"  # tagged, with /Lang and /Title; byte-identical across runs


def fontconfig_dir(settings: Settings) -> Path:
    """A private font folder holding only the pinned fonts, so nothing else can be used."""
    digest = hashlib.sha256("\n".join(f"{font.path}:{font.sha256}" for font in settings.fonts)
                            .encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "leafpub" / f"fonts-{digest}"


def use_pinned_fonts(settings: Settings) -> Path:
    """Point fontconfig (and so Pango and WeasyPrint) at the pinned fonts only.

    Must run before WeasyPrint creates its first FontConfiguration.
    """
    folder = fontconfig_dir(settings)
    fonts = folder / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    wanted = {font.path.name: font.path for font in settings.fonts}
    for link in fonts.iterdir():
        if link.name not in wanted:
            link.unlink()
    for name, target in wanted.items():
        link = fonts / name
        if not (link.is_symlink() and Path(os.readlink(link)) == target):
            link.unlink(missing_ok=True)
            link.symlink_to(target)
    conf = folder / "fonts.conf"
    text = ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
            f"<fontconfig>\n  <dir>{fonts}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n"
            "</fontconfig>\n")
    if not conf.exists() or conf.read_text() != text:
        conf.write_text(text)
    os.environ["FONTCONFIG_FILE"] = str(conf)
    return conf


def make_asset_fetcher(folder: Path):
    """A WeasyPrint URL fetcher that serves `data:` URLs and regular files inside one folder.

    Everything else (other files, ../ tricks, symlinks out, devices, http, ftp...) is
    refused, so no input can put a local file into a PDF or make the build fetch a URL.
    WeasyPrint logs each refusal, and the renderer turns that into a problem.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.folder = folder.resolve()

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"refused to fetch {url[:80]!r}: only the project's own assets are allowed")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(self.folder) or not path.is_file():
                raise ValueError(f"refused to read {url[:80]!r}: not a file in {self.folder.name}/")
            if path.stat().st_size > MAX_ASSET_BYTES:
                raise ValueError(f"refused to read {url[:80]!r}: larger than {MAX_ASSET_BYTES} bytes")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(),
                                      headers={"Content-Type": content_type})

    return AssetFetcher()


class PdfRenderer:
    """Renders HTML documents in this process, reusing one font configuration."""

    def __init__(self, settings: Settings):
        use_pinned_fonts(settings)
        from weasyprint.text.fonts import FontConfiguration

        self.settings = settings
        self.font_config = FontConfiguration()
        self.fetcher = make_asset_fetcher(settings.templates_dir)
        self.base_url = settings.templates_dir.resolve().as_uri() + "/"

    def render(self, html: str, *, source: str, locale: str | None = None,
               leaflet: str | None = None) -> Pdf:
        """Render one document; any WeasyPrint warning (missing glyph, refused fetch,
        bad CSS) makes it a problem for `source` instead of a quietly broken PDF."""
        from weasyprint import HTML

        with captured_warnings() as warnings:
            document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
                font_config=self.font_config)
            data = document.write_pdf(pdf_variant=PDF_VARIANT)
        pages = len(document.pages)
        del document
        gc.collect()  # CJK renders keep large font objects alive otherwise
        if warnings:
            raise ProblemError([Problem(source, None, f"rendering failed: {message}",
                                        locale=locale, leaflet=leaflet)
                                for message in dict.fromkeys(warnings)])
        return Pdf(data=data, pages=pages)


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
