"""leaflets/*.md -> Leaflet objects; also the Babel extractor for that format.

The leaflet format is plain text a clinician can review in a diff:

    ---
    slug: microneedling-scars
    title: Does microneedling leave scars?
    version: 1.0
    last-reviewed: 2026-11-23
    next-review: 2027-11-23
    owner: Dermatology patient information lead
    pages: 2
    large-print-pages: 5
    ---

    An introduction paragraph.

    ## A section heading

    A paragraph with **bold** and *italic* text.

    - a bullet
    - another bullet

    1. a numbered step

    > [!IMPORTANT] When to contact us
    > A box set apart from the text.

    | Day | What to do |
    |-----|------------|
    | 1   | Rest       |

    ![What the drawing shows](figures/a-drawing.svg "Its caption")

Headings are `##`; lists are flat bullet lists or numbered steps; boxes, tables and figures
are read by elementreader.py; the only inline markup is bold, italic and web addresses
(<https://...> or [text](https://...)). Anything else (HTML) is printed as the text it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from . import figures
from .. import sources
from .elementreader import ElementReader, FigureLoader, has_image, is_figure
from ..markup import WEB_ADDRESS, links_in
from ..characters import HIDDEN_CHARACTERS
from ..model import SLUG, VERSION, Leaflet, Paragraph, Section, Settings, SourceText
from ..problems import Problem, ProblemError

REQUIRED_FIELDS = ("slug", "title", "version", "last-reviewed", "next-review", "owner")
OPTIONAL_FIELDS = ("pages", "large-print-pages", "change-note", "withdrawn")
MAX_LEAFLET_BYTES = 256 * 1024
MAX_MESSAGE_CHARACTERS = 2000
#: The translator comments of elementreader.py's texts, which say where in an element a text is.
ELEMENT_PLACES = ("figure ", "table ", "numbered step ", "title of a box")
#: `[text](target)` to anything but a web address, which markdown-it would leave as text.
LINK_TARGET = re.compile(r"\]\((?!https?://)[^)]*\)")

# The "zero" preset turns every Markdown feature off; we turn on just the leaflet format.
BLOCK_PARSER = MarkdownIt("zero", {"maxNesting": 8}).enable(
    ["heading", "list", "emphasis", "blockquote", "table", "image"])


@dataclass(frozen=True)
class LoadedLeaflets:
    """What leaflets/ holds: the leaflets read, and those that could not be (their problems)."""

    leaflets: tuple[Leaflet, ...]
    problems: tuple[Problem, ...]
    #: file name (slug) -> the problem that says why it was not read: its first in the file itself
    unread: Mapping[str, Problem] = field(default_factory=dict)


def load_leaflets(settings: Settings) -> LoadedLeaflets:
    """Read every leaflet in leaflets/. A broken one is a problem; the others are returned."""
    leaflets, problems, unread = [], [], {}
    for path in sorted(settings.leaflets_dir.glob("*.md")):
        try:
            data = sources.read(settings.root, path, MAX_LEAFLET_BYTES, leaflet=path.stem)
            leaflets.append(read_leaflet(data, settings.relative(path), path.stem,
                                         figure_loader(settings.root, settings.leaflets_dir)))
        except ProblemError as error:
            problems.extend(error.problems)
            unread[path.stem] = next((p for p in error.problems if p.path == settings.relative(path)),
                                     error.problems[0])
    return LoadedLeaflets(tuple(leaflets), tuple(problems), unread)


def figure_loader(root: Path, folder: Path) -> FigureLoader:
    """Reads a leaflet's `figures/NAME.svg` from its folder, by the rule for every source, and checks it."""
    def load(name: str):
        path = folder / name
        display = sources.display(root, path)
        return figures.read_figure(sources.read(root, path, figures.MAX_FIGURE_BYTES), display), display
    return load


def read_leaflet(data: bytes, display: str, stem: str, load_figure: FigureLoader | None = None) -> Leaflet:
    """One leaflet file's bytes -> Leaflet; raise ProblemError listing everything wrong with it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ProblemError([Problem(display, line, "not UTF-8 text")]) from None
    return parse_leaflet(text.removeprefix("\ufeff"), display, stem, load_figure)


def parse_leaflet(text: str, display: str, stem: str | None = None,
                  load_figure: FigureLoader | None = None) -> Leaflet:
    problems = hidden_character_problems(text, display, stem)
    meta, meta_lines, body_start = parse_front_matter(text, display, problems)
    slug = meta.get("slug", stem or "")
    context = f"Leaflet {slug!r}"

    def field_problem(key: str, message: str) -> None:
        problems.append(Problem(display, meta_lines.get(key, 1), message, leaflet=slug or None))

    check_fields(meta, slug, stem, field_problem)
    dates = review_dates(meta, field_problem)
    # Only once nothing else is wrong: a missing or misspelt date reads as date.min.
    if problems == [] and dates["next-review"] <= dates["last-reviewed"]:
        field_problem("next-review", "next-review must come after last-reviewed")
    budgets = page_budgets(meta, field_problem)
    withdrawn = withdrawal_date(meta, field_problem)

    sections = parse_body(text, body_start, display, slug, problems, load_figure)
    title = SourceText(meta.get("title", ""), meta_lines.get("title", 1), f"{context}: title")
    if problems:
        raise ProblemError(problems)
    return Leaflet(slug=slug, path=display, title=title, version=meta["version"],
                   last_reviewed=dates["last-reviewed"], next_review=dates["next-review"],
                   owner=meta["owner"], page_budget=budgets["pages"], sections=tuple(sections),
                   large_print_budget=budgets["large-print-pages"], change_note=meta.get("change-note", ""),
                   withdrawn=withdrawn)


def withdrawal_date(meta: dict[str, str], field_problem: Callable[[str, str], None]) -> date | None:
    """`withdrawn: YYYY-MM-DD`: from that date the leaflet is no longer published."""
    if not meta.get("withdrawn"):
        return None
    try:
        return date.fromisoformat(meta["withdrawn"])
    except ValueError:
        field_problem("withdrawn", "'withdrawn' must be a date written YYYY-MM-DD")
        return None


def hidden_character_problems(text: str, display: str, stem: str | None) -> list[Problem]:
    """A problem for each line with a character that would hide or reorder the text around it."""
    problems = []
    for number, line in enumerate(text.split("\n"), 1):
        hidden = HIDDEN_CHARACTERS.search(line.rstrip("\r"))
        if hidden:
            problems.append(Problem(display, number, f"invisible control or direction-override "
                                    f"character U+{ord(hidden[0]):04X}; remove it", leaflet=stem))
    return problems


def check_fields(meta: dict[str, str], slug: str, stem: str | None,
                 field_problem: Callable[[str, str], None]) -> None:
    """Every required field is there, and the slug is one a file name and URL can carry."""
    for key in REQUIRED_FIELDS:
        if not meta.get(key):
            field_problem(key, f"missing metadata field '{key}:'")
    if meta.get("version") and not VERSION.fullmatch(meta["version"]):
        field_problem("version", "version must be letters and digits, joined by '.', '-', '_' or '+' "
                                 "(such as 2.1, 2026-03 or 1.2-rc1), at most 40 characters: it names a folder "
                                 "of the archive")
    if slug and not SLUG.fullmatch(slug):
        field_problem("slug", "slug must be lower-case letters, digits and hyphens")
    elif stem and slug and slug != stem:
        field_problem("slug", f"slug {slug!r} does not match the file name {stem!r}.md")


def review_dates(meta: dict[str, str], field_problem: Callable[[str, str], None]) -> dict[str, date]:
    """last-reviewed and next-review as dates (date.min where one is missing or unreadable)."""
    dates = {}
    for key in ("last-reviewed", "next-review"):
        try:
            dates[key] = date.fromisoformat(meta.get(key, ""))
        except ValueError:
            if meta.get(key):
                field_problem(key, f"'{key}' must be a date written YYYY-MM-DD")
            dates[key] = date.min
    return dates


def page_budgets(meta: dict[str, str], field_problem: Callable[[str, str], None]) -> dict[str, int]:
    """The page budgets; large print defaults to twice the standard one, plus one."""
    budgets = {}
    for key, default in (("pages", "2"), ("large-print-pages", None)):
        value = meta.get(key) or default or str(2 * budgets["pages"] + 1)
        if not value.isdigit() or not 1 <= int(value) <= 50:
            field_problem(key, f"'{key}' (a page budget) must be a whole number from 1 to 50")
            value = default or "5"
        budgets[key] = int(value)
    return budgets


def parse_front_matter(text: str, display: str, problems: list[Problem]):
    """The `key: value` lines between the opening and closing `---`."""
    lines = text.split("\n")
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(display, 1, "a leaflet starts with '---' and its metadata "
                                            f"({', '.join(REQUIRED_FIELDS)})"))
        return meta, meta_lines, 0
    for index in range(1, len(lines)):
        line = lines[index].strip()
        if line == "---":
            return meta, meta_lines, index + 1
        if not line or line.startswith("#"):
            continue
        key, colon, value = line.partition(":")
        key = key.strip().lower()
        if not colon or key not in REQUIRED_FIELDS + OPTIONAL_FIELDS:
            problems.append(Problem(display, index + 1, f"unknown metadata line {line[:60]!r}; "
                                    f"expected one of {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}"))
        elif key in meta:
            problems.append(Problem(display, index + 1, f"metadata field '{key}' appears twice"))
        else:
            meta[key], meta_lines[key] = value.strip(), index + 1
    problems.append(Problem(display, 1, "the metadata block is not closed with '---'"))
    return meta, meta_lines, len(lines)


def parse_body(text: str, body_start: int, display: str, slug: str,
               problems: list[Problem], load_figure: FigureLoader | None = None) -> list[Section]:
    lines = text.split("\n")
    body = "\n".join(lines[body_start:])
    try:
        tokens = BLOCK_PARSER.parse(body)
    except RecursionError:
        problems.append(Problem(display, body_start + 1, "the text is nested too deeply"))
        return []
    reader = BodyReader(slug, lines[body_start:], load_figure)
    line = body_start + 1
    for token in tokens:
        # Tokens without a place (inline text, cells) are on the line of the token before them.
        line = body_start + token.map[0] + 1 if token.map else line
        found = reader.read(token, line)
        for at, message in ([(line, found)] if isinstance(found, str) else found or ()):
            problems.append(Problem(display, at, message, leaflet=slug or None))
    problems.extend(reader.problems)
    sections = reader.finish()
    if not sections:
        problems.append(Problem(display, body_start or 1, "the leaflet has no text", leaflet=slug or None))
    return sections


class BodyReader(ElementReader):
    """The body's Markdown tokens, one at a time -> sections of paragraphs, lists and elements.py's blocks."""

    def __init__(self, slug: str, lines: list[str], load_figure: FigureLoader | None = None):
        self.slug, self.lines, self.load_figure, self.problems = slug, lines, load_figure, []
        self.sections: list[Section] = []
        self.heading: SourceText | None = None
        self.blocks: list = []
        self.items: list[SourceText] | None = None  # the open bullet list's, None outside one
        self.where = f"Leaflet {slug!r}, introduction"
        self.depth = 0  # list nesting
        self.in_heading = False
        self.readers = {"heading_open": self.heading_open, "heading_close": self.heading_close,
                        "bullet_list_open": self.bullet_list_open,
                        "bullet_list_close": self.list_close, "inline": self.inline,
                        **self.element_readers()}

    def read(self, token: Token, line: int) -> str | list | None:
        """Take in one token; what is wrong with it (or a list of (line in the body, what)), or None. The tokens with no reader here
        (paragraph and list item markers) only frame the inline text."""
        reader = self.readers.get(token.type)
        return reader(token, line) if reader else None

    def finish(self) -> list[Section]:
        if self.heading or self.blocks:
            self.sections.append(Section(self.heading, tuple(self.blocks)))
        return self.sections

    def heading_open(self, token: Token, line: int) -> str | None:
        if self.box is not None:
            return "a box has its title on its first line ('> [!IMPORTANT] Title'), not a heading"
        if token.tag != "h2":
            return (f"only '## ' section headings are allowed (found {token.markup} );"
                    " the title goes in the metadata")
        if self.heading or self.blocks:
            self.sections.append(Section(self.heading, tuple(self.blocks)))
        self.heading, self.blocks, self.in_heading = None, [], True
        return None

    def heading_close(self, token: Token, line: int) -> None:
        self.in_heading = False

    def bullet_list_open(self, token: Token, line: int) -> str | None:
        self.depth += 1
        self.items = []
        return "lists inside lists are not supported" if self.depth > 1 else None

    def inline(self, token: Token, line: int) -> str | None:
        message = " ".join(token.content.split())
        if self.table is not None:
            return self.table_cell(token, line)
        if self.box is not None and self.box["title"] is None:
            return self.box_title(token, line)
        if is_figure(token) and self.items is None and not self.in_heading:
            return self.figure(token, line)
        if has_image(token):
            return "a figure stands alone on its line, outside headings and lists"
        if any(not address.startswith(WEB_ADDRESS) for address in links_in(message)) or (
                LINK_TARGET.search(message)):
            return "a link goes to a web address: <https://...> or [its text](https://...)"
        if self.in_heading:
            self.heading = SourceText(message, line, f"Leaflet {self.slug!r}: section heading")
            self.where = f"Leaflet {self.slug!r}, section {message!r}"
        elif self.items is not None:
            self.items.append(SourceText(message, line, f"{self.where}: list item"))
        else:
            self.blocks.append(Paragraph(SourceText(message, line, f"{self.where}: paragraph")))
        if len(message) > MAX_MESSAGE_CHARACTERS:
            return f"this text is longer than {MAX_MESSAGE_CHARACTERS} characters; split it"
        return None


def extract_leaflet(fileobj, keywords, comment_tags, options):
    """Babel extractor (entry point `leaflet`): one message per title, heading, paragraph, item,
    step, box title, table cell, figure caption, alternative text and label."""
    name = getattr(fileobj, "name", "leaflet")
    text = fileobj.read().decode(options.get("encoding", "utf-8")).removeprefix("\ufeff")
    path = Path(str(name))
    leaflet = parse_leaflet(text, str(name), path.stem, figure_loader(path.parent.parent, path.parent))
    for message in leaflet.messages():
        where, _, what = message.context.rpartition(": ")
        # An element's place ("figure 1, label 2 of 4") on a line of its own: a comment wrapped
        # at 76 characters would split it, in the catalogs and in an XLIFF file's notes.
        comments = [f"{where}:", what] if what.startswith(ELEMENT_PLACES) else [message.context]
        if "*" in message.text:
            comments.append("Keep the ** (bold) and * (italic) marks around the matching words.")
        yield message.line, "", message.text, comments
