"""A pack's cover and parts (their page counts) -> the page each part starts on.

Plain arithmetic, apart from the PDF work in packs.py, so that planning a pack needs no PDF
library."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import PackPart


def contents_pages(cover_pages: int, parts: Sequence[PackPart], sides: int = 1) -> list[int]:
    """The 1-based page on which each part starts, after the cover. Printed double-sided
    (`sides` 2), each starts on a front page: odd, after a blank back page where needed."""
    starts, page = [], front(cover_pages + 1, sides)
    for part in parts:
        starts.append(page)
        page = front(page + part.base.pages, sides)
    return starts


def front(page: int, sides: int) -> int:
    return page + 1 if sides == 2 and page % 2 == 0 else page
