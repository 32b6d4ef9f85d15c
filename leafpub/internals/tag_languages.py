"""WeasyPrint's structure tree -> the same tree, each element of an HTML element with a `lang`
attribute carrying it as /Lang, so that a screen reader switches voice for it.

WeasyPrint 70 (weasyprint/pdf/tags.py, `_build_box_tree`) writes the document's language in
the catalog and none on structure elements, so an English term in a Hindi leaflet, or a
clinic's Arabic name in an English pack, is read in the document's voice. The patch, applied
to the source of `_build_box_tree` (PATCHES: an exact replacement that must match), adds
/Lang (ISO 32000-1, 14.9.2) to the element made for any box whose HTML element has `lang`.
Without it, such spans are read in the document's language.
"""

from __future__ import annotations

from contextlib import contextmanager

from . import patched, register, swapped

TAG_LANGUAGES = register(
    "tag-languages", relies_on="the source of weasyprint.pdf.tags._build_box_tree (patched, then "
    "compiled in its module)",
    checked={"weasyprint": "70.0"},
    gain="text in another language than the document's carries its own /Lang",
    without="every structure element is read in the document's language")

PATCHES = ((
    """    pdf.add_object(element)

    # Handle special cases.
    if tag == 'Figure':""",
    """    pdf.add_object(element)
    if box.element is not None and box.element.get('lang') and element_tag not in ('html', 'body'):
        element['Lang'] = pydyf.String(box.element.get('lang'))

    # Handle special cases.
    if tag == 'Figure':"""),)


@contextmanager
def applied():
    """WeasyPrint tags with the patch while inside, when the patch is on."""
    from weasyprint.pdf import tags

    with swapped(tags, "_build_box_tree", TAG_LANGUAGES, lambda: patched(tags._build_box_tree, PATCHES)):
        yield
