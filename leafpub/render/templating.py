"""Leaflet + LocaleCatalog -> HTML (Jinja2); every translated string is escaped text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from babel.dates import format_date
from jinja2 import BaseLoader, Environment, FileSystemBytecodeCache, StrictUndefined, TemplateError, TemplateNotFound
from markupsafe import Markup, escape

from .. import checkcache, online, sources
from ..formats import formats
from ..languages import counter_style, language_of, localize_digits
from ..markup import inline_html
from ..variants import BLEED_MM, BY_NAME, Format, SLUG_MM
from ..model import Clinic, Language, Leaflet, LocaleCatalog, Pack, Settings, SourceText
from ..problems import Problem, ProblemError

#: The templates every leaflet is rendered with (their strings are needed in every catalog).
LEAFLET_TEMPLATES = ("base.html", "leaflet.html", "leaflet-parts.html", "contact-box.html", "contact-boxes.html",
                     "web.html")
#: On a pack's blank back page, in the language of the leaflet before it (contact-boxes.html).
BLANK_PAGE_NOTICE = "This page is intentionally left blank."

#: The contact box (leaflet.css): the width of the text column (paper width less the
#: 17 mm side margins of @page) by a fixed height, so a clinic's details can be stamped in.
PAPER_WIDTH_MM = {"A4": 210.0, "Letter": 215.9}
SIDE_MARGINS_MM = 2 * 17.0


@dataclass(frozen=True)
class ContentsEntry:
    """One line of a pack's contents page."""

    language: Language
    title: str
    first_page: int
    pages: int


@dataclass(frozen=True)
class ContactBox:
    """A clinic's contact box in one language: rendered on a page of the box's size after
    the pack's cover, and laid into the leaflet's empty box when the pack is merged."""

    number: int  #: the part of the pack it belongs to, from 0
    language: Language
    html: Markup
    #: the notice for the blank back page after its leaflet, in its language, if it has one
    notice: str | None = None


class ProjectLoader(BaseLoader):
    """Jinja2 templates from templates/, each read by the rule for every source: a plain
    file, reached without links (Jinja2's FileSystemLoader follows them)."""

    def __init__(self, settings: Settings):
        self.root, self.folder = settings.root, settings.templates_dir

    def get_source(self, environment, template):
        path = self.folder / template
        if not sources.exists(self.root, path) or ".." in template.split("/"):
            raise TemplateNotFound(template)
        text = sources.read(self.root, path).decode("utf-8")
        return text, str(path), lambda: False


@lru_cache(maxsize=1)
def template_code() -> FileSystemBytecodeCache:
    return FileSystemBytecodeCache()


def make_environment(settings: Settings) -> Environment:
    environment = Environment(
        loader=ProjectLoader(settings),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        # Compiling the templates took longer than the rest of a build with nothing to render.
        # Jinja2's own cache (a private folder per user, checked for its owner and mode) keeps
        # each template's code by a checksum of its source: an edited template is compiled again.
        bytecode_cache=template_code(),
    )
    # Same whitespace handling as babel.cfg's `trimmed = true`, so msgids match.
    environment.policies["ext.i18n.trimmed"] = True
    environment.filters["direction"] = text_direction
    # The leaflet's blocks by kind ("paragraph", "steps", "figure"...), and where a figure's label goes.
    environment.globals["block_kind"] = lambda block: type(block).__name__.lower()
    environment.globals["label_place"] = lambda label: label.place()
    return environment


def text_direction(text: str) -> str:
    """"rtl" or "ltr" by the first strong character, as HTML's dir="auto" decides.

    WeasyPrint supports neither dir="auto" nor unicode-bidi, but it does honour an
    explicit dir, which keeps "12 Example Street" in order inside an Arabic leaflet.
    """
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


PROOF_LABELS = {"untranslated": "UNTRANSLATED", "fuzzy": "FUZZY"}


def translation_functions(catalog: LocaleCatalog, proof: bool = False, record: list | None = None,
                          source_tag: str = "en", links: bool = False) -> dict[str, Callable]:
    """gettext callables for the templates.

    Jinja2 marks whatever gettext returns as safe HTML when autoescaping, so a
    translation would be raw HTML. Returning it already escaped makes it text.
    In a proof, untranslated and fuzzy messages are shown highlighted and labelled.
    `record` receives (msgid, the text shown, markup removed) for every message used, for
    the text gate (textgate.py). `source_tag` is the language of terms a translation keeps
    from the source (mark_foreign). With `links` (the web version), a web address is a link.
    """
    translations = catalog.translations

    def noted(message, html: Markup) -> Markup:
        if record is not None:
            record.append((message, html.striptags() if "<" in html else html.unescape()))
        return html

    def state_of(message: str) -> str | None:
        if not proof or catalog.is_source or message in catalog.strings:
            return None
        return "fuzzy" if message in catalog.fuzzy else "untranslated"

    def shown(message: str) -> str:
        if state_of(message) == "fuzzy":
            return catalog.fuzzy[message][0]
        return translations.gettext(message)

    def gettext(message: str) -> Markup:
        return highlight(noted(message, escape(shown(message))), state_of(message))

    def ngettext(singular: str, plural: str, number: int) -> Markup:
        return highlight(noted((singular, plural), escape(translations.ngettext(singular, plural, number))),
                         state_of(singular))

    def translate(source: SourceText) -> Markup:
        html = noted(source.text, inline_html(shown(source.text), links))
        if not catalog.is_source:
            html = mark_foreign(html, catalog.language.script, source_tag)
        return highlight(html, state_of(source.text))

    def translate_text(source: SourceText) -> str:
        """A message as plain text, for an attribute (a figure's alternative text): not printed."""
        return inline_html(shown(source.text)).striptags()

    # A message named by a variable (formats.statement): the same gettext, under a name the
    # extractor does not read, so that a message a catalog may lack is not required of it.
    return {"gettext": gettext, "_": gettext, "ngettext": ngettext, "translate": translate,
            "translate_text": translate_text, "message_state": state_of, "optional_message": gettext}


#: A run of Latin letters (with the apostrophes, hyphens and spaces between its words).
LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f](?:[A-Za-z\u00c0-\u024f'\u2019 -]*[A-Za-z\u00c0-\u024f])?")
#: What a web address is written in (markup.py): on paper, and a link written as its address.
ADDRESS_TAGS = ('<span class="url"', '<a href="')
#: The tags and character references of safe HTML, which are left as they are.
MARKUP = re.compile(r"(<[^>]*>|&#?\w+;)")


def mark_foreign(html: Markup, script: str, source_tag: str) -> Markup:
    """In a translation into a language not written in Latin letters, each run of Latin
    letters (an English term kept in brackets, a product's name) is taken to be in the source
    language: it becomes a span with that `lang`, which the PDF's structure tree carries as
    /Lang, so that a screen reader reads it in that language's voice."""
    if script == "Latn":
        return html
    parts = MARKUP.split(str(html))
    span = Markup('<span lang="{}">').format(source_tag)
    for index in range(0, len(parts), 2):  # the text between tags and references
        if index and parts[index - 1].startswith(ADDRESS_TAGS) and parts[index - 1].endswith(' dir="ltr">'):
            continue  # a web address is in no language
        parts[index] = LATIN_RUN.sub(lambda found: f"{span}{found[0]}</span>", parts[index])
    return Markup("".join(parts))


def highlight(html: Markup, state: str | None) -> Markup:
    if state is None:
        return html
    return Markup('<mark class="{}"><span class="proof-label">{}</span> {}</mark>').format(
        state, PROOF_LABELS[state], html)


def font_stack(settings: Settings, language: Language, every_script: bool = False) -> Markup:
    """The CSS font-family value for the language's script (from pyproject.toml, trusted).
    With every_script, the other declared stacks follow: for a clinic's details, which can be
    in any script whatever the leaflet's language."""
    families = list(settings.scripts.get(language.script, ()))
    if every_script:
        families += [family for stack in settings.scripts.values() for family in stack]
    families = list(dict.fromkeys(families))
    return Markup(", ".join('"{}"'.format(re.sub(r'["\\<>;{}]', "", family)) for family in families))


def template_messages(environment: Environment, names: Iterable[str],
                      settings: Settings | None = None) -> list[str | tuple]:
    """The msgids the given templates use (plural messages as (singular, plural)); with
    `settings`, kept in output/.cache by the templates' text (a build with nothing to do
    need not parse them)."""
    names = tuple(names)
    texts = [environment.loader.get_source(environment, name)[0] for name in names]
    key = checkcache.check_key(*names, *texts)
    kept = checkcache.recall(settings, "template-messages", key) if settings else None
    if isinstance(kept, list):
        return [tuple(message) if isinstance(message, list) else message for message in kept]
    messages = [message for text in texts for _, _, message in environment.extract_translations(text)]
    if settings:
        checkcache.remember(settings, "template-messages", key, messages)
    return messages


def leaflet_html(environment: Environment, settings: Settings, leaflet: Leaflet,
                   catalog: LocaleCatalog, *, format: Format, clinic: Clinic | None,
                   draft: bool, overdue: bool = False, proof: str | None = None,
                   reserved: bool = False, record: list | None = None) -> str:
    """The HTML of one leaflet in one language and format, generic (lines to write on) or
    for a clinic. With `proof` (a summary such as "3 untranslated"), a translator's proof.
    `record` receives the messages it prints (translation_functions)."""
    language = catalog.language
    return render(environment, "leaflet.html", catalog, settings, record=record, context={
        "proof": proof,
        "reserved": reserved,
        "leaflet": leaflet,
        "language": language,
        "paper": format.paper,
        "variant": format.variant,
        "clinic": clinic,
        "draft": draft,
        "overdue": overdue,
        "clinical_pending": leaflet.clinical is None,  # no clinician has signed off this English
        "title": catalog.translations.gettext(leaflet.title.text),
        "statement": formats.statement(catalog, formats.online_kinds(language.locale)),
        "offline_statement": formats.OFFLINE_STATEMENT,
        **review_dates(leaflet, language),
        "created": leaflet.last_reviewed.isoformat(),
        **web_address_context(online.web_address(settings.site_url, leaflet.slug, language.locale)),
    })


def review_dates(leaflet: Leaflet, language: Language) -> dict:
    """The leaflet's review dates as its language writes them."""
    return {"last_reviewed": format_date(leaflet.last_reviewed, "long", locale=language.locale),
            "next_review": format_date(leaflet.next_review, "long", locale=language.locale)}


def web_address_context(address: str) -> dict:
    """What a leaflet prints of its web version: the address, where it may break, its QR code."""
    return {"web_address": address, "web_address_parts": online.address_parts(address),
            "qr_code": online.qr_code(address)}


def contact_box_size_mm(format: Format) -> tuple[float, float]:
    return (PAPER_WIDTH_MM[format.paper] - SIDE_MARGINS_MM, BY_NAME[format.variant].contact_box_mm)


def contact_box_html(environment: Environment, settings: Settings, catalog: LocaleCatalog,
                       clinic: Clinic, number: int, notice: bool = False) -> ContactBox:
    """A clinic's contact box with its labels in the catalog's language, for part `number`;
    with `notice`, the notice for a blank back page after that part."""
    return ContactBox(number, catalog.language, Markup(render(environment, "contact-box.html", catalog, settings, {
        "clinic": clinic, "language": catalog.language, "on_sheet": True})),
        notice=catalog.translations.gettext(BLANK_PAGE_NOTICE) if notice else None)


def pack_cover_html(environment: Environment, settings: Settings, pack: Pack,
                      catalog: LocaleCatalog, contents: Sequence[ContentsEntry],
                      created: date, boxes: Sequence[ContactBox] = ()) -> str:
    """The HTML of a pack's cover (the clinic and a contents list in every language), then
    contact boxes of the pack, each on a page of the box's size, and the notice for the
    back of the cover when the pack is printed double-sided."""
    return render(environment, "pack-cover.html", catalog, settings, {
        **sheet_context(settings, pack, catalog, boxes), "contents": contents, "created": created.isoformat(),
        "cover_notice": pack.sides == 2})


def contact_sheet_html(environment: Environment, settings: Settings, pack: Pack, catalog: LocaleCatalog,
                         boxes: Sequence[ContactBox]) -> str:
    """The HTML of contact boxes of a pack without its cover."""
    return render(environment, "contact-sheet.html", catalog, settings, {
        **sheet_context(settings, pack, catalog, boxes), "created": "2000-01-01"})


def sheet_context(settings: Settings, pack: Pack, catalog: LocaleCatalog, boxes: Sequence[ContactBox]) -> dict:
    width, height = contact_box_size_mm(Format(pack.paper, pack.variant))
    return {"pack": pack, "clinic": pack.clinic, "language": catalog.language, "paper": pack.paper, "variant": pack.variant,
            "boxes": boxes, "box_width_mm": f"{width:g}", "box_height_mm": f"{height:g}",
            "font_stack_for": lambda language: font_stack(settings, language),
            "clinic_font_stack_for": lambda language: font_stack(settings, language, every_script=True),
            "title": pack.title, "cover_notice": False}


def render(environment: Environment, name: str, catalog: LocaleCatalog, settings: Settings,
           context: dict, record: list | None = None) -> str:
    try:
        language = catalog.language
        profile = settings.print_profile
        return environment.get_template(name).render(
            slug_mm=SLUG_MM, bleed_mm=BLEED_MM,
            print_profile_url=profile.path.resolve().as_uri() if profile else "",
            font_stack=font_stack(settings, language), counter_style=counter_style(language),
            clinic_font_stack=font_stack(settings, language, every_script=True),
            digits=lambda text: localize_digits(str(text), language), **context,
            **translation_functions(catalog, proof=bool(context.get("proof")), record=record,
                                    source_tag=language_of(settings.source_locale).tag, links=name == "web.html"))
    except TemplateError as error:
        raise ProblemError([Problem(f"templates/{name}", getattr(error, "lineno", None),
                                    f"template error: {error}")]) from None
    except (KeyError, ValueError, TypeError) as error:
        # A translation whose %(placeholders)s do not match the English one.
        raise ProblemError([Problem(catalog.path or f"templates/{name}", None,
                                    f"a translation used in {name} does not fit its "
                                    f"placeholders ({type(error).__name__}: {error})",
                                    locale=catalog.language.locale)]) from None
