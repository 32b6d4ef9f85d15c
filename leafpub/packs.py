"""Cover-and-boxes Pdf + PackParts -> one pack Pdf (pypdf): clinic boxes stamped in, outline,
page labels, one font per face."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, BooleanObject, DecodedStreamObject, DictionaryObject, FloatObject,
                           IndirectObject, NameObject, TextStringObject)

from .internals import pack_fonts
from .internals.pypdf_objects import add_object
from .model import Language, Pack, PackPart, Pdf


def contents_pages(cover_pages: int, parts: Sequence[PackPart]) -> list[int]:
    """The 1-based page on which each part starts, after the cover."""
    starts, page = [], cover_pages + 1
    for part in parts:
        starts.append(page)
        page += part.base.pages
    return starts


def stamp_clinic_box(writer: PdfWriter, page: PageObject, anchor: tuple, box: PageObject) -> None:
    """Lay the clinic's contact box (a page of the box's size) into the empty box on
    `page`, as a form XObject drawn over the page: the page's own drawing is not parsed or
    changed, and the box's text stays text (WeasyPrint laid it out, fonts embedded)."""
    _page_index, left, top = anchor[:3]
    bottom = top + float(box.mediabox.height)  # the box page is the size of the box
    form = DecodedStreamObject()
    form.set_data(box.get_contents().get_data())
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject(FloatObject(value) for value in box.mediabox),
                 NameObject("/Resources"): shared_resources(writer, box)})
    name = NameObject("/LeafpubClinicBox")
    resources = page[NameObject("/Resources")].get_object()
    xobjects = resources.get("/XObject")
    if xobjects is None:
        xobjects = resources[NameObject("/XObject")] = DictionaryObject()
    xobjects.get_object()[name] = add_object(writer, form)  # compact() deflates the new streams
    trim = page.trimbox
    x, y = float(trim.left) + left, float(trim.top) - bottom
    # The page's drawing runs inside q ... Q, so whatever it leaves set does not move the
    # box; it is wrapped byte for byte, in one stream with the box's placement.
    contents = DecodedStreamObject()
    contents.set_data(b"q\n" + page.get_contents().get_data() +
                      f"\nQ q 1 0 0 1 {x:.4f} {y:.4f} cm {name} Do Q\n".encode("ascii"))
    page[NameObject("/Contents")] = add_object(writer, contents)


def shared_resources(writer: PdfWriter, box: PageObject) -> IndirectObject:
    """The box page's resources, copied once into the pack as an object of their own:
    the boxes of one sheet share them, and they are written compressed with the others."""
    resources = box.raw_get("/Resources").clone(writer)
    return resources if isinstance(resources, IndirectObject) else add_object(writer, resources)


def merge_pack(pack: Pack, sheets: Sequence[Pdf], cover_pages: int, places: Sequence[tuple[int, int]],
               parts: Sequence[PackPart], cover_language: Language,
               read: Callable[[PackPart], PdfReader], pinned_face: Callable[[str], object | None]) -> Pdf:
    """Merge the cover and the leaflets, each with the clinic's box stamped in, into one PDF
    a clinic can print or browse, drawing each face from one font. The cover is the first
    `cover_pages` pages of `sheets[0]`; each part's box is on page `places[i]` = (sheet,
    page). `read` opens a part's base PDF (a worker keeps the ones it has read: hundreds
    of clinics' packs share a few bases); `pinned_face` finds a pinned font by PostScript name."""
    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(sheet.data)) for sheet in sheets]
    writer.append(readers[0], pages=list(range(cover_pages)), import_outline=False)
    writer.add_outline_item(title=outline_title(cover_language.native_name, pack.title),
                            page_number=0)
    starts = contents_pages(cover_pages, parts)
    parents = {}
    for part, start, (sheet, page) in zip(parts, starts, places):
        writer.append(read(part), import_outline=False)
        stamp_clinic_box(writer, writer.pages[start - 1 + part.anchor[0]], part.anchor, readers[sheet].pages[page])
        if part.slug not in parents:
            parents[part.slug] = writer.add_outline_item(title=part.leaflet_title, page_number=start - 1)
        writer.add_outline_item(title=outline_title(part.language.native_name, part.title),
                                page_number=start - 1, parent=parents[part.slug])

    # Page labels match the page numbers printed in the contents list; the cover is i, ii...
    writer.set_page_label(0, cover_pages - 1, style="/r", prefix="Cover ")
    if len(writer.pages) > cover_pages:
        writer.set_page_label(cover_pages, len(writer.pages) - 1, style="/D", start=cover_pages + 1)

    # Merging drops /Lang and /Title of the parts; set the pack's own.
    writer.add_metadata({"/Title": f"{pack.title} — {pack.clinic.name}", "/Producer": "leafpub"})
    writer.root_object[NameObject("/Lang")] = TextStringObject(cover_language.tag)
    # A print-shop pack keeps the PDF/X output intent (the parts share it); trim and bleed
    # boxes travel with each page.
    if "/OutputIntents" in readers[0].trailer["/Root"]:
        writer.root_object[NameObject("/OutputIntents")] = \
            readers[0].trailer["/Root"]["/OutputIntents"].clone(writer)
    writer.root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    pack_fonts.share_fonts(writer, pinned_face)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    buffer = io.BytesIO()
    writer.write(buffer)
    return Pdf(data=compact(buffer.getvalue()), pages=len(writer.pages))


def compact(data: bytes) -> bytes:
    """The same PDF with its dictionaries in compressed object streams, as WeasyPrint writes
    the leaflets (pypdf writes each object as plain text), and the pack's new streams
    (fonts, text maps, boxes) deflated at the highest level. The leaflets' streams stay as
    WeasyPrint deflated them. qpdf (through pikepdf) rewrites it, with a file identifier
    derived from the content, so the same inputs give the same bytes."""
    import pikepdf

    pikepdf.settings.set_flate_compression_level(9)
    buffer = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True,
                 deterministic_id=True)
    return buffer.getvalue()


def outline_title(language_name: str, title: str) -> str:
    return f"{language_name}: {title}"
