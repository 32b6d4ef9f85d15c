"""Text in the leaflet format's inline markup (a source string or a translation) -> its tokens, or
safe HTML.

The leaflet format allows bold (**x**) and italic (*x*) inside a text and nothing else: with
every other rule and HTML off, markdown-it escapes whatever else a writer or translator types.
Content, the checks and rendering all read texts through this one parser.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

INLINE_MARKUP = MarkdownIt("zero", {"maxNesting": 8}).enable(["emphasis"])
# Markdown would also read __x__ and _x_ as bold and italic; the leaflet format uses only
# asterisks, so underscores (in "__init__", e-mail addresses, file names) stay as typed.
UNDERSCORE, STAND_IN = "_", "\ue000"


def parse_inline(text: str):
    """The inline tokens of leaflet-format text (underscores kept as text)."""
    return INLINE_MARKUP.parseInline(text.replace(UNDERSCORE, STAND_IN))[0].children or []


@lru_cache(maxsize=4096)
def render_inline(text: str) -> Markup:
    """Leaflet-format text -> safe HTML. Kept: a build renders each text once for every
    paper and variant."""
    html = INLINE_MARKUP.renderInline(text.replace(UNDERSCORE, STAND_IN)).strip()
    return Markup(html.replace(STAND_IN, UNDERSCORE))
