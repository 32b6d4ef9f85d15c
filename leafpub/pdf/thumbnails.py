"""A published PDF -> the PNG of its page 1 that the download site shows."""

from __future__ import annotations

import io

THUMBNAIL_WIDTH = 160  # pixels


def make_thumbnail(pdf: bytes) -> bytes:
    """Page 1 as a small PNG. Named by the PDF's checksum, it is made only when the PDF changes."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=THUMBNAIL_WIDTH / page.get_width()).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    # 64 colours by octree: quicker and smaller than median cut, and the two look the same
    # at this size. PNG's optimize option costs more than the little it saves.
    image.convert("RGB").quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG")
    return buffer.getvalue()
