"""A pikepdf document -> its bytes, its streams deflated at one level whatever was saved before.

qpdf's deflate level is a setting of the whole process (pikepdf.settings), not an option of
one save: a leaflet recoded after a pack was compacted in the same process was deflated at
another level than one recoded before, so the same content gave other bytes (and another
second half of its /ID, a digest of the bytes) depending on which worker took it.
"""

from __future__ import annotations

import io

#: The level WeasyPrint (pydyf) deflates at: the highest.
FLATE_LEVEL = 9


def pdf_bytes(pdf, **options) -> bytes:
    """`pdf` saved with a file identifier derived from its content, at FLATE_LEVEL."""
    import pikepdf

    pikepdf.settings.set_flate_compression_level(FLATE_LEVEL)
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, **options)
    return buffer.getvalue()
