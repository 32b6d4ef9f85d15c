"""output/manifest.json + the published PDFs -> output/index.html, a download page that works
offline (opened from disk or any static server), and page-1 thumbnails in output/thumbs/."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .publish import write_atomically

THUMBNAIL_WIDTH = 160  # pixels
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


def write_site(output: Path, manifest: dict) -> Path:
    """Write index.html and the thumbnails it needs; remove thumbnails no page uses."""
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
        if entry["locale"] == "en" or "version" not in leaflet:
            leaflet.update(version=entry["version"], next_review=entry["next_review"],
                           last_reviewed=entry["last_reviewed"], title=entry["title"])
    thumbnails = set()
    for leaflet in leaflets.values():
        for row in leaflet["languages"].values():
            first = row.files.get(("standard", "A4")) or next(iter(row.files.values()))
            row.thumbnail = make_thumbnail(output, first)
            thumbnails.add(row.thumbnail)
    for old in (output / "thumbs").glob("*.png") if (output / "thumbs").is_dir() else ():
        if f"thumbs/{old.name}" not in thumbnails:
            old.unlink()

    clinics: dict[str, list] = defaultdict(list)
    for pack in manifest.get("packs", []):
        clinics[pack.get("clinic", pack["pack"])].append(pack)
    environment = Environment(loader=FileSystemLoader(Path(__file__).parent / "site"), autoescape=True,
                              undefined=StrictUndefined)
    html = environment.get_template("index.html").render(
        leaflets=[dict(leaflet, slug=slug, languages=sorted(
            leaflet["languages"].values(), key=lambda r: (r.locale != "en", r.english_name)))
            for slug, leaflet in sorted(leaflets.items())],
        clinics=sorted(clinics.items()), variants=VARIANT_NAMES, papers=("A4", "Letter"),
        size=file_size, output=output, problems=len(manifest.get("problems", [])))
    path = output / "index.html"
    write_atomically(path, html.encode("utf-8"))
    return path


def make_thumbnail(output: Path, entry: dict) -> str:
    """Page 1 as a small PNG named by the PDF's checksum, so it is made again only when the
    PDF changes."""
    name = f"thumbs/{entry['sha256'][:20]}.png"
    target = output / name
    if not target.exists():
        import pypdfium2

        document = pypdfium2.PdfDocument(str(output / entry["path"]))
        try:
            page = document[0]
            image = page.render(scale=THUMBNAIL_WIDTH / page.get_width()).to_pil()
        finally:
            document.close()
        buffer = io.BytesIO()
        image.convert("RGB").quantize(colors=64).save(buffer, format="PNG", optimize=True)
        write_atomically(target, buffer.getvalue())
    return name


def file_size(output: Path, entry: dict) -> str:
    size = (output / entry["path"]).stat().st_size
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
