"""The one bound on a text that comes in from outside the project (an XLIFF target, a back-translation,
a glossary term, a reviewer's name): anything longer is refused before any work is done on it."""

from __future__ import annotations

#: Far beyond any leaflet's message (the longest is under 1,000): a longer text is not one of ours,
#: and comparing or checking it would take time that grows with its length.
MAX_TEXT_CHARACTERS = 20_000


def too_long(text: str, what: str = "text") -> str | None:
    """Why `text` is refused for its length, or None."""
    if len(text) > MAX_TEXT_CHARACTERS:
        return f"its {what} is {len(text)} characters long; a text is at most {MAX_TEXT_CHARACTERS}"
    return None
