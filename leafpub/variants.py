"""A variant's name -> everything that differs by variant: its label, its PDF standard, its file
name, its checks, its page budget, its contact box, whether packs and readers get it. One table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    name: str
    label: str  #: how the download page names it
    pdf_standard: str  #: WeasyPrint's pdf_variant
    suffix: str  #: what it adds to a file name after the paper: "" or ".large-print"
    ua_checked: bool  #: claims PDF/UA-1, so each PDF passes the PDF/UA check (accessibility.py)
    for_readers: bool  #: for reading on a screen or office printer: the web version links it
    in_packs: bool  #: packs.toml may make a clinic's pack of it
    published: bool  #: a leaflet is published in it (pack-part: only the base every clinic's pack copies)
    large_print: bool = False  #: bounded by the leaflet's large-print page budget
    #: checked as a print shop's RIP reads it (Ghostscript renders every page); the others, read
    #: on screens and office printers, are rendered by PDFium
    for_print_shops: bool = False
    contact_box_mm: float = 58.0  #: the height of a pack's contact box on its leaflets


#: standard: tagged PDF/UA-1 for screens and office printers; large-print: the same reflowed
#: with 16 pt body text; print: PDF/X-4 with 3 mm bleed and crop marks for print shops;
#: pack-part: a standard leaflet a standard pack is made of (its structure tree becomes the pack's).
TABLE = (
    Variant("standard", "Standard", "pdf/ua-1", "", ua_checked=True, for_readers=True, in_packs=True,
            published=True),
    Variant("large-print", "Large print", "pdf/ua-1", ".large-print", ua_checked=True, for_readers=True,
            in_packs=False, published=True, large_print=True, contact_box_mm=95.0),
    Variant("print", "Print shop (PDF/X, bleed)", "pdf/x-4", ".print", ua_checked=False, for_readers=False,
            in_packs=True, published=True, for_print_shops=True),
    Variant("pack-part", "", "pdf/ua-1", "", ua_checked=False, for_readers=False, in_packs=False,
            published=False),
)
BY_NAME = {variant.name: variant for variant in TABLE}
#: The variants every leaflet is published in, in the order the manifest lists them.
PUBLISHED = tuple(variant.name for variant in TABLE if variant.published)
PAPERS = ("A4", "Letter")
#: (variant, paper) whose page 1 shows a language on the download page
THUMBNAIL_OF = ("standard", "A4")
#: Print-shop variant: backgrounds run 3 mm past the trim (the bleed); the page is 10 mm
#: larger on each side so that crop marks have room outside the bleed.
BLEED_MM, SLUG_MM = 3, 10


def variant(name: str) -> Variant:
    return BY_NAME[name]


@dataclass(frozen=True)
class Format:
    """One of the forms every leaflet is published in."""

    paper: str  #: "A4" or "Letter"
    variant: str  #: a published variant's name

    @property
    def suffix(self) -> str:
        """The part of a file name that tells formats apart: "a4", "letter.large-print"."""
        return self.paper.lower() + BY_NAME[self.variant].suffix


FORMATS = tuple(Format(paper, name) for name in PUBLISHED for paper in PAPERS)
