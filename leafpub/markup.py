"""Text in the leaflet format's inline markup (a source string or a translation) -> its tokens, or
safe HTML.

The leaflet format allows bold (**x**), italic (*x*) and web addresses (<https://...> or
[text](https://...)) inside a text and nothing else: with every other rule and HTML off,
markdown-it escapes whatever else a writer or translator types. A web address is a link on
screen and plain text on paper, written out after its text. Content, the checks and rendering
all read texts through this one parser.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

INLINE_MARKUP = MarkdownIt("zero", {"maxNesting": 8}).enable(["emphasis", "link", "autolink"])
#: The only addresses a leaflet links to; markdown-it already leaves javascript:, file: and data: as text.
WEB_ADDRESS = ("https://", "http://")
DIR_LTR = ' dir="ltr"'
TAGS = {"strong_open": "<strong>", "strong_close": "</strong>", "em_open": "<em>", "em_close": "</em>"}
# Markdown would also read __x__ and _x_ as bold and italic; the leaflet format uses only
# asterisks, so underscores (in "__init__", e-mail addresses, file names) stay as typed.
UNDERSCORE, STAND_IN = "_", "\ue000"
ENCODED_STAND_IN = "%EE%80%80"  # the stand-in in a web address, as markdown-it writes it


def parse_inline(text: str):
    """The inline tokens of leaflet-format text (underscores kept as text)."""
    return INLINE_MARKUP.parseInline(text.replace(UNDERSCORE, STAND_IN))[0].children or []


def links_in(text: str) -> list[str]:
    """The web addresses a text links to, in order."""
    return [address_of(token) for token in parse_inline(text) if token.type == "link_open"]


def address_of(token) -> str:
    return token.attrGet("href").replace(ENCODED_STAND_IN, UNDERSCORE).replace(STAND_IN, UNDERSCORE)


@lru_cache(maxsize=4096)
def inline_html(text: str, links: bool = False) -> Markup:
    """Leaflet-format text -> safe HTML: with `links` (on screen), a web address is a link; without
    (on paper), its text is followed by the address, as text. A link to anything but a web
    address (an e-mail address, a relative path) is shown as it is written. Kept: a build renders
    each text once for every paper and variant."""
    html: list[str] = []
    link = None  # the open link: its token and where its text begins in html
    for token in parse_inline(text):
        if token.type in TAGS:
            html.append(TAGS[token.type])
        elif token.type == "link_open":
            link = (token, len(html))
        elif token.type == "link_close" and link is not None:
            html[link[1]:] = linked(link[0], html[link[1]:], links)
            link = None
        else:
            content = " " if token.type == "softbreak" else token.content
            html.append(escapeHtml(content.replace(STAND_IN, UNDERSCORE)))
    return Markup("".join(html).strip())


def linked(token, inner: list[str], links: bool) -> list[str]:
    """A link's HTML from its opening token and the HTML of its text."""
    address, autolink = address_of(token), token.markup == "autolink"
    if not address.startswith(WEB_ADDRESS):
        written = "".join(inner)
        return [f"&lt;{written}&gt;" if autolink else f"[{written}]({escapeHtml(token.attrGet('href'))})"]
    # An address is written left to right, whatever the language around it.
    if links:
        return [f'<a href="{escapeHtml(address)}"{DIR_LTR if autolink else ""}>', *inner, "</a>"]
    shown = f'<span class="url"{DIR_LTR}>{escapeHtml(address)}</span>'
    return [shown] if autolink else [*inner, f" ({shown})"]
