"""output/manifest.json + the published PDFs -> output/index.html, a download page that works
offline (opened from disk or any static server), and page-1 thumbnails in output/thumbs/."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .model import DEFAULT_SOURCE_LOCALE, PAPERS

THUMBNAIL_WIDTH = 160  # pixels
THUMBNAIL_OF = ("standard", "A4")  #: (variant, paper) whose page 1 shows a language on the page
VARIANT_NAMES = {"standard": "Standard", "large-print": "Large print", "print": "Print shop (PDF/X, bleed)"}


@dataclass
class LanguageRow:
    locale: str
    native_name: str
    english_name: str
    direction: str
    tag: str
    title: str
    state: str  #: "source", "draft", "approved"
    outdated: str = ""  #: why the files are an earlier version
    thumbnail: str = ""
    files: dict = field(default_factory=dict)  #: (variant, paper) -> manifest entry

    @property
    def names(self) -> str:
        return f"{self.english_name} {self.native_name} {self.locale}".lower()


def site_files(output: Path, manifest: dict, new_files: dict[str, bytes], thumbnails: Mapping[str, bytes] = {},
               source_locale: str = DEFAULT_SOURCE_LOCALE, review_due_by: date | None = None) -> dict[str, bytes]:
    """index.html and the thumbnails it needs (those not made before), by path in output/.
    `new_files` holds the PDFs about to be published, which are not on disk yet;
    `thumbnails`, by a PDF's SHA-256, those already made while the build ran. A leaflet's
    version, dates and change note are its source language's, which is listed first; one
    whose review falls due by `review_due_by` is marked."""
    files: dict[str, bytes] = {}
    leaflets: dict[str, dict] = defaultdict(lambda: {"languages": {}})
    for entry in manifest.get("leaflets", []):
        leaflet = leaflets[entry["leaflet"]]
        row = leaflet["languages"].setdefault(entry["locale"], LanguageRow(
            locale=entry["locale"], native_name=entry.get("language", entry["locale"]),
            english_name=entry.get("language_english", entry["locale"]),
            direction=entry.get("direction", "ltr"), tag=entry["locale"].replace("_", "-"),
            title=entry["title"], state=entry.get("translation", "draft")))
        row.files[(entry.get("variant", "standard"), entry["paper"])] = entry
        row.outdated = row.outdated or entry.get("outdated", "")
        if entry["locale"] == source_locale or "version" not in leaflet:
            leaflet.update(version=entry["version"], next_review=entry["next_review"],
                           last_reviewed=entry["last_reviewed"], title=entry["title"],
                           change_note=entry.get("change_note", ""),
                           review_due=review_due_by is not None and entry["next_review"] <= review_due_by.isoformat())
    for leaflet in leaflets.values():
        for row in leaflet["languages"].values():
            first = row.files.get(THUMBNAIL_OF) or next(iter(row.files.values()))
            row.thumbnail = f"thumbs/{first['sha256'][:20]}.png"
            thumbnail = output / row.thumbnail
            files[row.thumbnail] = (thumbnail.read_bytes() if thumbnail.is_file() else
                                    thumbnails.get(first["sha256"]) or
                                    make_thumbnail(new_files.get(first["path"])
                                                   or (output / first["path"]).read_bytes()))

    clinics: dict[str, list] = defaultdict(list)
    for pack in manifest.get("packs", []):
        clinics[pack.get("clinic", pack["pack"])].append(pack)
    environment = Environment(loader=FileSystemLoader(Path(__file__).parent / "site"), autoescape=True,
                              undefined=StrictUndefined)
    html = environment.get_template("index.html").render(
        leaflets=[dict(leaflet, slug=slug, languages=sorted(
            leaflet["languages"].values(), key=lambda r: (r.locale != source_locale, r.english_name)))
            for slug, leaflet in sorted(leaflets.items())],
        clinics=sorted(clinics.items()), variants=VARIANT_NAMES, papers=PAPERS,
        size=lambda entry: file_size(entry, new_files, output), problems=len(manifest.get("problems", [])))
    files["index.html"] = html.encode("utf-8")
    return files


def make_thumbnail(pdf: bytes) -> bytes:
    """Page 1 as a small PNG. Named by the PDF's checksum, it is made only when the PDF changes."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=THUMBNAIL_WIDTH / page.get_width()).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    # 64 colours by octree: quicker and smaller than median cut, and the two look the same
    # at this size. PNG's optimize option costs more than the little it saves.
    image.convert("RGB").quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG")
    return buffer.getvalue()


def file_size(entry: dict, new_files: dict[str, bytes], output: Path) -> str:
    size = len(new_files[entry["path"]]) if entry["path"] in new_files else (output / entry["path"]).stat().st_size
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
