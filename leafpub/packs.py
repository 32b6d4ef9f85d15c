"""Cover Pdf + LeafletDocuments -> one pack Pdf (pypdf): outline, page labels, title, language."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import (ArrayObject, BooleanObject, ByteStringObject, DictionaryObject,
                           NameObject, TextStringObject)

from .model import Language, LeafletDocument, Pack, Pdf


def contents_pages(cover_pages: int, documents: Sequence[LeafletDocument]) -> list[int]:
    """The 1-based page on which each document starts, after the cover."""
    starts, page = [], cover_pages + 1
    for document in documents:
        starts.append(page)
        page += document.pdf.pages
    return starts


def stamp_clinic_box(base: Pdf, anchor: tuple, stamp: Pdf) -> Pdf:
    """Lay the clinic's contact box (a one-page PDF of the box's size) into the empty box of
    a leaflet. The stamp's text stays text: WeasyPrint laid it out, fonts embedded."""
    page_index, left, _top, _right, bottom = anchor
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(base.data)))
    page = writer.pages[page_index]
    trim = page.trimbox
    box = PdfReader(io.BytesIO(stamp.data)).pages[0]
    page.merge_transformed_page(box, Transformation().translate(float(trim.left) + left,
                                                                float(trim.top) - bottom))
    page.compress_content_streams()  # merging leaves the page's drawing uncompressed
    digest = hashlib.sha256(base.data + stamp.data).digest()[:16]
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    buffer = io.BytesIO()
    writer.write(buffer)
    return Pdf(data=buffer.getvalue(), pages=base.pages)


def merge_pack(pack: Pack, cover: Pdf, documents: Sequence[LeafletDocument],
               cover_language: Language) -> Pdf:
    """Merge the cover and the leaflets into one PDF a clinic can print or browse."""
    writer = PdfWriter()
    cover_reader = PdfReader(io.BytesIO(cover.data))
    writer.append(cover_reader, import_outline=False)
    writer.add_outline_item(title=outline_title(cover_language.native_name, pack.title),
                            page_number=0)
    starts = contents_pages(cover.pages, documents)
    parents = {}
    for document, start in zip(documents, starts):
        writer.append(PdfReader(io.BytesIO(document.pdf.data)), import_outline=False)
        slug = document.leaflet.slug
        if slug not in parents:
            parents[slug] = writer.add_outline_item(title=document.leaflet.title.text,
                                                    page_number=start - 1)
        writer.add_outline_item(title=outline_title(document.language.native_name, document.title),
                                page_number=start - 1, parent=parents[slug])

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
    digest = hashlib.sha256(cover.data + b"".join(d.pdf.data for d in documents)).digest()[:16]
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    buffer = io.BytesIO()
    writer.write(buffer)
    return Pdf(data=buffer.getvalue(), pages=len(writer.pages))


def outline_title(language_name: str, title: str) -> str:
    return f"{language_name}: {title}"
