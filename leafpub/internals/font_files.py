"""WeasyPrint's fonts -> the same fonts, with a font file read into memory only when a font is
embedded whole, not to subset it.

WeasyPrint 70 (weasyprint/pdf/fonts.py, `Font.__init__`) copies the whole file of every face a
document draws with into `file_content`; for a face of a font collection, the whole collection:
20 MB for each Noto Sans CJK weight, read through its memory mapping, so a Chinese or Korean
document held each file twice (its mapped pages and the copy). Its HarfBuzz subsetting works on
the face itself and replaces `file_content` with the subset without reading it. With this patch
(PATCHES below, an exact replacement that must match), `file_content` is read from the face the
first time something asks for it (a font left whole, a variable or colour font, fontTools'
subsetter), so the embedded bytes are the same.
"""

from __future__ import annotations

from contextlib import contextmanager

from . import patched, register, swapped

FONT_FILES = register(
    "font-files", relies_on="the source of weasyprint.pdf.fonts.Font.__init__ (patched, then compiled in "
    "its module), its attribute file_content and its HarfBuzz subsetting, which reads hb_face, not file_content",
    checked={"weasyprint": "70.0"},
    gain="a worker's peak memory (bench.py, peak memory per worker): 220 -> 160 MiB in a cold build, "
    "226 -> 165 MiB with 200 clinics' packs",
    without="each CJK document copies its font files whole, and a worker's memory peaks 60 MiB higher")

#: (exact text of WeasyPrint 70's Font.__init__, its replacement)
PATCHES = (("        self.file_content = get_hb_object_data(self.hb_face)\n", ""),)


def lazy_font_class():
    """WeasyPrint's Font, with `file_content` read from the face when first asked for."""
    from weasyprint.pdf import fonts

    init = patched(fonts.Font.__init__, PATCHES)
    if init is None:
        return None

    class Font(fonts.Font):
        __init__ = init
        leafpub_original = fonts.Font

        @property
        def file_content(self) -> bytes:
            if "leafpub_file" not in self.__dict__:
                self.__dict__["leafpub_file"] = fonts.get_hb_object_data(self.hb_face)
            return self.__dict__["leafpub_file"]

        @file_content.setter
        def file_content(self, data: bytes) -> None:
            self.__dict__["leafpub_file"] = data

    return Font


@contextmanager
def applied():
    """WeasyPrint makes its fonts with the patch while inside, when the patch is on."""
    from weasyprint.pdf import stream

    with swapped(stream, "Font", FONT_FILES, lazy_font_class):
        yield
