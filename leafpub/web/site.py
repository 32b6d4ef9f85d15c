"""output/manifest.json + the published PDFs -> the download site: a light front page of every
leaflet (output/index.html) with a search over its titles in every language (search.js), a page
per leaflet (output/leaflets/<slug>/index.html) with every language and file, and page-1
thumbnails (output/thumbs/). It works offline, opened from disk or any static server."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..formats import formats
from ..model import DEFAULT_SOURCE_LOCALE
from ..variants import PAPERS, TABLE
from ..online import WEB_VARIANT, leaflet_page_path
from ..variants import THUMBNAIL_OF
from ..pdf.thumbnails import make_thumbnail
from ..render import templating

#: How the download page names each published variant, in the table's order.
VARIANT_NAMES = {variant.name: variant.label for variant in TABLE if variant.published}
#: The front page's search index: every leaflet's title in every language, loaded when a
#: visitor first searches or picks a language, so the front page itself stays light.
SEARCH_INDEX = "search.js"


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
    web: str = ""  #: the web version's file name, beside the leaflet's page
    web_outdated: bool = False  #: the web version is an earlier one
    files: dict = field(default_factory=dict)  #: (variant, paper) -> manifest entry
    formats: list = field(default_factory=list)  #: alternative formats' manifest entries (braille, audio)
    unavailable: dict = field(default_factory=dict)  #: format ("braille") -> why this language has none

    def format(self, kind: str) -> dict | None:
        """This language's file of a format (e.g. "audio"), as the manifest lists it."""
        return next((item for item in self.formats if item.get("kind") == kind), None)

    @property
    def names(self) -> str:
        return f"{self.english_name} {self.native_name} {self.locale}".lower()


def site_files(output: Path, manifest: dict, new_files: dict[str, bytes], thumbnails: Mapping[str, bytes] = {},
               source_locale: str = DEFAULT_SOURCE_LOCALE, review_due_by: date | None = None) -> dict[str, bytes]:
    """The site's pages, its search index and the thumbnails it needs (those not made before),
    by path in output/. `new_files` holds the files about to be published, which are not on
    disk yet; `thumbnails`, by a PDF's SHA-256, those already made while the build ran. A
    leaflet's version, dates and change note are its source language's, which is listed first;
    one whose review falls due by `review_due_by` is marked."""
    leaflets = group_leaflets(manifest, source_locale, review_due_by)
    files = thumbnail_files(output, leaflets, new_files, thumbnails)
    # The same cache of compiled templates as the leaflets' (a build that publishes nothing
    # new still writes the site; compiling its three templates was a seventh of its time).
    environment = Environment(loader=FileSystemLoader(Path(__file__).parent / "site"), autoescape=True,
                              undefined=StrictUndefined, bytecode_cache=templating.template_code())
    size = lambda entry: file_size(entry, new_files, output)  # noqa: E731
    for leaflet in leaflets:
        files[leaflet_page_path(leaflet["slug"])] = environment.get_template("leaflet.html").render(
            leaflet=leaflet, variants=VARIANT_NAMES, papers=PAPERS, size=size, labels=formats.LABELS,
            minutes=minutes).encode("utf-8")
    languages = {row.locale: row for leaflet in leaflets for row in leaflet["languages"]}
    clinics: dict[str, list] = defaultdict(list)
    for pack in manifest.get("packs", []):
        clinics[pack.get("clinic", pack["pack"])].append(pack)
    files[SEARCH_INDEX] = search_index(leaflets)
    # Named by its content, so that a browser never pairs a new front page with an old index.
    search_index_url = f"{SEARCH_INDEX}?v={hashlib.sha256(files[SEARCH_INDEX]).hexdigest()[:12]}"
    files["index.html"] = environment.get_template("index.html").render(
        leaflets=leaflets, languages=sorted(languages.values(), key=lambda r: (r.locale != source_locale,
                                                                               r.english_name)),
        clinics=sorted(clinics.items()), variants=VARIANT_NAMES, size=size, search_index=SEARCH_INDEX,
        search_index_url=search_index_url, problems=len(manifest.get("problems", []))).encode("utf-8")
    return files


def group_leaflets(manifest: dict, source_locale: str, review_due_by: date | None) -> list[dict]:
    """The manifest's leaflet entries by leaflet, then by language, the source language first."""
    leaflets: dict[str, dict] = defaultdict(lambda: {"languages": {}})
    for entry in manifest.get("leaflets", []):
        leaflet = leaflets[entry["leaflet"]]
        row = leaflet["languages"].setdefault(entry["locale"], LanguageRow(
            locale=entry["locale"], native_name=entry.get("language", entry["locale"]),
            english_name=entry.get("language_english", entry["locale"]),
            direction=entry.get("direction", "ltr"), tag=entry["locale"].replace("_", "-"),
            title=entry["title"], state=entry.get("translation", "draft")))
        if entry.get("variant") == WEB_VARIANT:
            row.web, row.web_outdated = entry["path"].rsplit("/", 1)[1], bool(entry.get("outdated"))
        else:
            row.files[(entry.get("variant", "standard"), entry["paper"])] = entry
            row.outdated = row.outdated or entry.get("outdated", "")
        if entry["locale"] == source_locale or "version" not in leaflet:
            leaflet.update(version=entry["version"], next_review=entry["next_review"],
                           last_reviewed=entry["last_reviewed"], title=entry["title"],
                           change_note=entry.get("change_note", ""),
                           clinical=entry.get("clinical-approval"),
                           review_due=review_due_by is not None and entry["next_review"] <= review_due_by.isoformat())
    add_formats(manifest, leaflets)
    return [dict(leaflet, slug=slug, page=leaflet_page_path(slug), languages=sorted(
        (row for row in leaflet["languages"].values() if row.files),
        key=lambda r: (r.locale != source_locale, r.english_name)))
        for slug, leaflet in sorted(leaflets.items())]


def add_formats(manifest: dict, leaflets: dict) -> None:
    """Each language's alternative formats, and why it lacks one, on its row."""
    unavailable = defaultdict(dict)
    for item in manifest.get("formats_unavailable", []):
        unavailable[item.get("locale")][item.get("kind")] = item.get("reason", "")
    for slug, leaflet in leaflets.items():
        for row in leaflet["languages"].values():
            row.formats = sorted(formats.of(manifest, slug, row.locale), key=lambda e: str(e.get("kind")))
            row.unavailable = unavailable.get(row.locale, {})


def thumbnail_files(output: Path, leaflets: list[dict], new_files: dict[str, bytes],
                    thumbnails: Mapping[str, bytes]) -> dict[str, bytes]:
    """Page 1 of each language's leaflet, named by its PDF's checksum: made only when it changes."""
    files = {}
    for leaflet in leaflets:
        for row in leaflet["languages"]:
            first = row.files.get(THUMBNAIL_OF) or next(iter(row.files.values()))
            row.thumbnail = f"thumbs/{first['sha256'][:20]}.png"
            thumbnail = output / row.thumbnail
            files[row.thumbnail] = (thumbnail.read_bytes() if thumbnail.is_file() else
                                    thumbnails.get(first["sha256"]) or
                                    make_thumbnail(new_files.get(first["path"])
                                                   or (output / first["path"]).read_bytes()))
    return files


def search_index(leaflets: list[dict]) -> bytes:
    """search.js: every leaflet's title in every language, as a script (a page opened from disk
    may load a script, not fetch JSON). Titles are text: JSON escapes every character that
    could end the script or be read as markup."""
    titles = {leaflet["slug"]: {row.locale: row.title for row in leaflet["languages"]} for leaflet in leaflets}
    data = json.dumps(titles, ensure_ascii=False, separators=(",", ":"))
    for character in "<>&\u2028\u2029":
        data = data.replace(character, f"\\u{ord(character):04x}")
    return f"window.leafletTitles = {data};\n".encode("utf-8")


def minutes(ms) -> str:
    """A length in milliseconds as minutes and seconds: "3:35"."""
    ms = ms if isinstance(ms, int) and ms >= 0 else 0
    return f"{ms // 60000}:{ms // 1000 % 60:02d}"


def file_size(entry: dict, new_files: dict[str, bytes], output: Path) -> str:
    if entry["path"] in new_files:
        size = len(new_files[entry["path"]])
    elif isinstance(entry.get("bytes"), int):  # another format's entry says its size (one less file to read)
        size = entry["bytes"]
    else:
        size = (output / entry["path"]).stat().st_size
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
