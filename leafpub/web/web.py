"""Leaflets + their catalogs + the PDFs published -> each leaflet's web version in every language:
one HTML file (no script, and nothing loaded from elsewhere) linking to its PDFs and other languages."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .. import checkcache, online
from ..plan import incremental
from ..render import templating
from ..formats import formats as alternative
from ..formats.formats import SYNTHETIC_NOTICE
from ..languages import language_of
from ..variants import Format, PAPERS, TABLE
from ..model import Language, Leaflet, LeafletDocument, LocaleCatalog, Settings, leaflet_path
from ..problems import Problem, ProblemError
from ..model import Failure

#: The PDFs a web version offers a reader (print-shop files are for printers, and on the
#: download site); web.html names them.
READER_VARIANTS = tuple(variant.name for variant in TABLE if variant.for_readers)


@dataclass(frozen=True)
class WebDocument:
    """One leaflet's web version in one language."""

    leaflet: Leaflet
    language: Language
    title: str  #: translated title
    html: bytes
    translation: str  #: "source", "draft" or "approved"
    inputs: Mapping = field(default_factory=dict)  #: digests of what it is made from (the manifest keeps them)

    @property
    def path(self) -> str:
        return online.web_path(self.leaflet.slug, self.language.locale)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.html).hexdigest()


@dataclass(frozen=True)
class PdfLink:
    href: str
    variant: str
    paper: str


@dataclass(frozen=True)
class AudioLink:
    """The leaflet read aloud: its MP3, the chapters track, and each chapter's start (a media fragment)."""

    href: str
    track: str
    duration: str  #: "3:35"
    chapters: tuple  #: (title, "#t=" seconds, "m:ss") per chapter
    notice: str  #: that the voice is synthetic, in the page's language when the catalog has it
    notice_tag: str  #: the notice's language


@dataclass(frozen=True)
class LanguageLink:
    href: str
    tag: str
    direction: str
    native_name: str


@dataclass(frozen=True)
class WebVersions:
    """The web versions made, and a failure for each one not made (its last one is kept)."""

    pages: tuple[WebDocument, ...]
    problems: tuple[Problem, ...]
    failures: tuple[Failure, ...]


def web_versions(settings: Settings, environment, leaflets: Iterable[Leaflet],
                 catalogs: Mapping[str, LocaleCatalog], overdue: Collection[str], *, built: Iterable[LeafletDocument],
                 failures: Iterable[Failure], previous: Mapping[str, dict],
                 inputs: incremental.Inputs, formats: Iterable = ()) -> WebVersions:
    """A leaflet's web version in a language is made when its standard PDF was (so the two say
    the same); otherwise the last one is kept, outdated like the PDF. Each links the PDFs
    published after this build (`built`, and those of the last manifest, `previous`, by path),
    its alternative formats' files (`formats`, formats.FormatFile) and every other language
    with a web version. A page whose inputs are those of the published one is that one, not
    made again."""
    output, built = settings.output_dir, {document.path: document for document in built}
    published = set(built) | {path for path in previous if (output / path).is_file()}
    failed = {failure.key: failure.reason for failure in failures if failure.kind == "leaflet"}
    documents, problems, web_failures = [], [], []
    offered = alternative.by_leaflet(formats)
    for leaflet in leaflets:
        made = [catalog for catalog in catalogs.values()
                if leaflet_path(leaflet.slug, catalog.language.locale, Format(settings.paper, "standard")) in built]
        # The web versions kept from the last build: those of the languages failing this time.
        failing = {catalog.language.locale for catalog in catalogs.values() if catalog not in made} | {
            key[1] for key in failed if key[0] == leaflet.slug and key[3] == online.WEB_VARIANT}
        kept = [language_of(entry["locale"]) for path, entry in previous.items()
                if entry.get("leaflet") == leaflet.slug and entry.get("variant") == online.WEB_VARIANT
                and entry.get("locale") in failing and path in published]
        for catalog in catalogs.values():
            key = (leaflet.slug, catalog.language.locale, online.WEB_PAPER, online.WEB_VARIANT)
            if catalog not in made:
                reason = failed.get((*key[:2], settings.paper, "standard"), "its standard PDF was not built")
                web_failures.append(Failure("leaflet", key, reason))
                continue
            others = sorted((language for language in [c.language for c in made] + kept
                             if language != catalog.language), key=lambda language: language.english_name)
            try:
                documents.append(web_page_html(settings, environment, leaflet, catalog, overdue=leaflet.slug in overdue,
                                            published=published, others=others, inputs=inputs, previous=previous,
                                            formats=offered.get((leaflet.slug, catalog.language.locale), ())))
            except ProblemError as error:
                problems += error.problems
                web_failures.append(Failure("leaflet", key, str(error.problems[0])))
    return WebVersions(tuple(documents), tuple(problems), tuple(web_failures))


def web_page_html(settings: Settings, environment, leaflet: Leaflet, catalog: LocaleCatalog, *, overdue: bool,
               published: Collection[str], others: Iterable[Language], inputs: incremental.Inputs,
               previous: Mapping[str, dict], formats: Iterable = ()) -> WebDocument:
    """One leaflet's web version in the catalog's language (the published one if its inputs are the same)."""
    language, slug = catalog.language, leaflet.slug
    pdfs = [PdfLink(path.rsplit("/", 1)[1], variant, paper) for variant in READER_VARIANTS for paper in PAPERS
            if (path := leaflet_path(slug, language.locale, Format(paper, variant))) in published]
    links = [LanguageLink(online.web_file_name(slug, other.locale), other.tag, other.direction, other.native_name)
             for other in others]
    title = catalog.translations.gettext(leaflet.title.text)
    formats = list(formats)
    offered = [alternative.web_link(catalog, file) for file in formats if not file.kind.startswith("audio")]
    audio = audio_link(catalog, formats)
    statement = alternative.statement(catalog, alternative.online_kinds(language.locale))
    made_from = {"leaflet": inputs.leaflet(leaflet), "templates": inputs.templates, "software": inputs.software,
                 "messages": incremental.digest([catalog.digest, catalog.review.state, catalog.review.approved]),
                 "page": incremental.digest([overdue, leaflet.clinical is None, pdfs, links, offered, audio, statement,
                                             repr(settings).replace(str(settings.root), "<project>"),
                                             checkcache.checking_code()])}
    html = published_page(settings, previous.get(online.web_path(slug, language.locale)), made_from)
    if html is None:
        html = templating.render(environment, "web.html", catalog, settings, {
            "leaflet": leaflet, "language": language, "title": title, "draft": not catalog.review.approved,
            "clinical_pending": leaflet.clinical is None, "overdue": overdue, "pdfs": pdfs, "others": links,
            "formats": offered, "audio": audio, "formats_heading": alternative.optional(catalog, alternative.ONLINE_HEADING),
            "statement": catalog.translations.gettext(statement), **templating.review_dates(leaflet, language),
        }).encode("utf-8")
    return WebDocument(leaflet, language, title, html, catalog.review.state, made_from)


def audio_link(catalog: LocaleCatalog, files: Iterable) -> AudioLink | None:
    """The audio of a web version, from its formats.FormatFile of kind "audio" and "audio-chapters"."""
    found = {file.kind: file for file in files}
    sound, track = found.get("audio"), found.get("audio-chapters")
    if not sound or not track:
        return None
    chapters = sound.details["chapters"]
    notice = alternative.optional(catalog, SYNTHETIC_NOTICE)
    synthetic = any(chapter["voice"] == "synthetic" for chapter in chapters)
    return AudioLink(PurePosixPath(sound.path).name, PurePosixPath(track.path).name,
                     minutes(sound.details["duration_ms"]),
                     tuple((chapter["title"], f"{chapter['start_ms'] / 1000:g}", minutes(chapter["start_ms"]))
                           for chapter in chapters),
                     notice["text"] if synthetic else "", notice["tag"])


def minutes(ms: int) -> str:
    return f"{ms // 60000}:{ms // 1000 % 60:02d}"


def published_page(settings: Settings, entry: dict | None, made_from: dict) -> bytes | None:
    """The published web version, if it was made from the same inputs and is as published."""
    if not entry or entry.get("inputs") != made_from:
        return None
    try:
        html = (settings.output_dir / entry["path"]).read_bytes()
    except (OSError, KeyError, TypeError):
        return None
    return html if hashlib.sha256(html).hexdigest() == entry.get("sha256") else None
