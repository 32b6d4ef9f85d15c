"""WeasyPrint's PDF/X-4 objects (pydyf) -> the same PDF with the bleed box a print shop expects and
a document identifier derived from the input.

Relies on how WeasyPrint 70 writes PDF/X-4 (not documented): each page's `/BleedBox` is the
whole page, crop marks included, and the XMP metadata stream carries a random
`xmp.did:` DocumentID. With this on, each page's BleedBox is its TrimBox plus the bleed, and
the DocumentID is derived from the input, so the same input gives the same bytes.
"""

from __future__ import annotations

import re

from . import active, register

PRINT_BOXES = register(
    "print-boxes", relies_on="WeasyPrint's PDF/X-4 page boxes and XMP DocumentID as pydyf objects",
    checked={"weasyprint": "70.0", "pydyf": "0.13.0"},
    gain="print-shop PDFs with the bleed box at the bleed, and the same bytes for the same input",
    without="the bleed box is the whole page and the XMP DocumentID is random in each print-shop PDF")


def finish_print_pdf(pdf, bleed_mm: float, identifier: bytes) -> None:
    """Set each page's BleedBox to its TrimBox plus `bleed_mm`, and the XMP DocumentID from
    `identifier` (32 hexadecimal digits)."""
    if not active(PRINT_BOXES):
        return
    import pydyf

    bleed = bleed_mm * 72 / 25.4
    hexadecimal = identifier.decode("ascii")
    uuid = "-".join((hexadecimal[:8], hexadecimal[8:12], hexadecimal[12:16], hexadecimal[16:20],
                     hexadecimal[20:32]))
    for obj in pdf.objects[1:]:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page" and "TrimBox" in obj:
            xs, ys = obj["TrimBox"][0::2], obj["TrimBox"][1::2]
            obj["BleedBox"] = pydyf.Array([min(xs) - bleed, min(ys) - bleed, max(xs) + bleed,
                                           max(ys) + bleed])
        elif isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
            xmp = b"\n".join(item if isinstance(item, bytes) else str(item).encode() for item in obj.stream)
            obj.stream = [re.sub(rb"xmp\.did:[0-9a-fA-F-]+", b"xmp.did:" + uuid.encode("ascii"), xmp)]
