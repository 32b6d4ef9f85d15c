"""Cover Pdf + PackParts -> one pack Pdf (pypdf): clinic boxes stamped in, outline, page labels."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, BooleanObject, ByteStringObject, DecodedStreamObject,
                           DictionaryObject, FloatObject, NameObject, TextStringObject)

from .model import Language, Pack, PackPart, Pdf


def contents_pages(cover_pages: int, parts: Sequence[PackPart]) -> list[int]:
    """The 1-based page on which each part starts, after the cover."""
    starts, page = [], cover_pages + 1
    for part in parts:
        starts.append(page)
        page += part.base.pages
    return starts


def stamp_clinic_box(writer: PdfWriter, page: PageObject, anchor: tuple, stamp: Pdf) -> None:
    """Lay the clinic's contact box (a one-page PDF of the box's size) into the empty box
    on `page`, as a form XObject drawn over the page: the page's own drawing is not parsed
    or rewritten, and the stamp's text stays text (WeasyPrint laid it out, fonts embedded)."""
    _page_index, left, _top, _right, bottom = anchor
    box = PdfReader(io.BytesIO(stamp.data)).pages[0]
    form = DecodedStreamObject()
    form.set_data(box.get_contents().get_data())
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject(FloatObject(value) for value in box.mediabox),
                 NameObject("/Resources"): box["/Resources"].clone(writer)})
    name = NameObject("/LeafpubClinicBox")
    resources = page[NameObject("/Resources")].get_object()
    xobjects = resources.get("/XObject")
    if xobjects is None:
        xobjects = resources[NameObject("/XObject")] = DictionaryObject()
    xobjects.get_object()[name] = writer._add_object(form.flate_encode())
    trim = page.trimbox
    x, y = float(trim.left) + left, float(trim.top) - bottom
    # The page's drawing runs inside q ... Q, so whatever it leaves set does not move the box.
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(f"\nQ q 1 0 0 1 {x:.4f} {y:.4f} cm {name} Do Q\n".encode("ascii"))
    contents = page.raw_get("/Contents")  # the reference: a stream is never written inline
    drawing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *drawing,
                                                 writer._add_object(after)])


def merge_pack(pack: Pack, cover: Pdf, parts: Sequence[PackPart], cover_language: Language,
               read: Callable[[PackPart], PdfReader]) -> Pdf:
    """Merge the cover and the leaflets, each with the clinic's box stamped in, into one PDF
    a clinic can print or browse. `read` opens a part's base PDF (a worker keeps the ones
    it has read: hundreds of clinics' packs share a few bases)."""
    writer = PdfWriter()
    cover_reader = PdfReader(io.BytesIO(cover.data))
    writer.append(cover_reader, import_outline=False)
    writer.add_outline_item(title=outline_title(cover_language.native_name, pack.title),
                            page_number=0)
    starts = contents_pages(cover.pages, parts)
    parents = {}
    for part, start in zip(parts, starts):
        writer.append(read(part), import_outline=False)
        stamp_clinic_box(writer, writer.pages[start - 1 + part.anchor[0]], part.anchor, part.stamp)
        if part.slug not in parents:
            parents[part.slug] = writer.add_outline_item(title=part.leaflet_title, page_number=start - 1)
        writer.add_outline_item(title=outline_title(part.language.native_name, part.title),
                                page_number=start - 1, parent=parents[part.slug])

    # Page labels match the page numbers printed in the contents list; the cover is i, ii...
    writer.set_page_label(0, cover.pages - 1, style="/r", prefix="Cover ")
    if len(writer.pages) > cover.pages:
        writer.set_page_label(cover.pages, len(writer.pages) - 1, style="/D", start=cover.pages + 1)

    # Merging drops /Lang and /Title of the parts; set the pack's own.
    writer.add_metadata({"/Title": f"{pack.title} — {pack.clinic.name}", "/Producer": "leafpub"})
    writer._root_object[NameObject("/Lang")] = TextStringObject(cover_language.tag)
    # A print-shop pack keeps the PDF/X output intent (the parts share it); trim and bleed
    # boxes travel with each page.
    if "/OutputIntents" in cover_reader.trailer["/Root"]:
        writer._root_object[NameObject("/OutputIntents")] = \
            cover_reader.trailer["/Root"]["/OutputIntents"].clone(writer)
    writer._root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)

    # A file identifier derived from the content, not random, so builds are reproducible.
    digest = hashlib.sha256(cover.data + b"".join(p.base.data + p.stamp.data for p in parts)).digest()[:16]
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    buffer = io.BytesIO()
    writer.write(buffer)
    return Pdf(data=buffer.getvalue(), pages=len(writer.pages))


def outline_title(language_name: str, title: str) -> str:
    return f"{language_name}: {title}"
