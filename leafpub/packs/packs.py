"""Cover-and-boxes Pdf + PackParts -> one pack Pdf (pypdf): clinic boxes stamped in, blank
back pages for double-sided printing, the structure tree, outline, page labels, one font per face."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, BooleanObject, DecodedStreamObject, DictionaryObject, FloatObject,
                           IndirectObject, NameObject, TextStringObject)

from ..pdf import packtags
from .. import pdfsave
from ..internals import pack_fonts
from ..pdfobjects import add_object
from ..model import Language, Pack, PackPart, Pdf
from .pagination import contents_pages


def stamp_clinic_box(writer: PdfWriter, page: PageObject, anchor: tuple, box: PageObject) -> IndirectObject:
    """Lay the clinic's contact box (a page of the box's size) into the empty box on
    `page`, as a form XObject drawn over the page: the page's own drawing is not parsed or
    changed, and the box's text stays text (WeasyPrint laid it out, fonts embedded).
    Returns the form (its marked content is the box's tagged text)."""
    _page_index, left, top = anchor[:3]
    bottom = top + float(box.mediabox.height)  # the box page is the size of the box
    form = form_of(writer, box, box.get_contents().get_data())
    trim = page.trimbox
    x, y = float(trim.left) + left, float(trim.top) - bottom
    # The page's drawing runs inside q ... Q, so whatever it leaves set does not move the
    # box; it is wrapped byte for byte, in one stream with the box's placement.
    draw(writer, page, form, b"q\n" + page.get_contents().get_data() + b"\nQ ",
         f"q 1 0 0 1 {x:.4f} {y:.4f} cm /LeafpubClinicBox Do Q\n")
    return form


def add_blank_page(writer: PdfWriter, like: PageObject, notice: PageObject) -> None:
    """A back page left blank, the size of `like`, with the small notice (a page of the
    notice's size) in its middle. Its only drawing is an artifact: a screen reader skips it."""
    page = writer.add_blank_page(float(like.mediabox.width), float(like.mediabox.height))
    for box in ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox"):
        if box in like:
            page[NameObject(box)] = ArrayObject(like[box])
    form = form_of(writer, notice, without_structure(notice))
    trim = page.trimbox
    x = float(trim.left) + (float(trim.width) - float(notice.mediabox.width)) / 2
    y = float(trim.bottom) + (float(trim.height) - float(notice.mediabox.height)) / 2
    draw(writer, page, form, b"", f"/Artifact BMC q 1 0 0 1 {x:.4f} {y:.4f} cm /LeafpubClinicBox Do Q EMC\n")


def form_of(writer: PdfWriter, sheet_page: PageObject, content: bytes) -> IndirectObject:
    """A page of a sheet (a clinic box, a notice) as a form XObject of the pack."""
    form = DecodedStreamObject()
    form.set_data(content)
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject(FloatObject(value) for value in sheet_page.mediabox),
                 NameObject("/Resources"): shared_resources(writer, sheet_page)})
    return add_object(writer, form)  # compact() deflates the new streams


def draw(writer: PdfWriter, page: PageObject, form: IndirectObject, before: bytes, placed: str) -> None:
    """Draw `form` on `page` after `before` (the page's own drawing, or nothing)."""
    resources = page[NameObject("/Resources")].get_object()
    xobjects = resources.get("/XObject")
    if xobjects is None:
        xobjects = resources[NameObject("/XObject")] = DictionaryObject()
    xobjects.get_object()[NameObject("/LeafpubClinicBox")] = form
    contents = DecodedStreamObject()
    contents.set_data(before + placed.encode("ascii"))
    page[NameObject("/Contents")] = add_object(writer, contents)


def without_structure(page: PageObject) -> bytes:
    """A page's drawing without its tagged marked content (BDC with an MCID ... EMC), whose
    elements the pack leaves out: what remains can be drawn as an artifact."""
    content = page.get_contents()
    kept, dropped = [], []
    for operands, operator in content.operations:
        if operator in (b"BDC", b"BMC"):
            dropped.append(operator == b"BDC" and isinstance(operands[1], dict) and "/MCID" in operands[1])
            if dropped[-1]:
                continue
        elif operator == b"EMC" and dropped and dropped.pop():
            continue
        kept.append((operands, operator))
    content.operations = kept
    return content.get_data()


def shared_resources(writer: PdfWriter, box: PageObject) -> IndirectObject:
    """The box page's resources, copied once into the pack as an object of their own:
    the boxes of one sheet share them, and they are written compressed with the others."""
    resources = box.raw_get("/Resources").clone(writer)
    return resources if isinstance(resources, IndirectObject) else add_object(writer, resources)


def merge_pack(pack: Pack, sheets: Sequence[Pdf], cover_pages: int, places: Mapping[str, tuple[int, int]],
               parts: Sequence[PackPart], cover_language: Language,
               read: Callable[[PackPart], PdfReader], pinned_face: Callable[[str], object | None]) -> Pdf:
    """Merge the cover and the leaflets, each with the clinic's box stamped in, into one PDF
    a clinic can print or browse, drawing each face from one font. The cover is the first
    `cover_pages` pages of `sheets[0]`; `places` says on which (sheet, page) each part's box
    is ("box-N") and each blank page's notice ("notice-N" after part N, "notice-cover").
    A standard pack is tagged (packtags.py). `read` opens a part's base PDF (a worker keeps
    the ones it has read: hundreds of clinics' packs share a few bases); `pinned_face` finds
    a pinned font by PostScript name."""
    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(sheet.data)) for sheet in sheets]
    structure = packtags.PackStructure(writer, cover_language.tag) if pack.variant == "standard" else None
    writer.append(readers[0], pages=list(range(cover_pages)), import_outline=False)
    if structure:
        structure.add_part(readers[0], range(cover_pages), 0, cover_language.tag)
    writer.add_outline_item(title=outline_title(cover_language.native_name, pack.title), page_number=0)
    starts = contents_pages(cover_pages, parts, pack.sides)

    def blank_before(start: int, notice: str) -> None:
        if start > len(writer.pages) + 1:
            sheet, page = places[notice]
            add_blank_page(writer, writer.pages[-1], readers[sheet].pages[page])

    parents = {}
    for number, (part, start) in enumerate(zip(parts, starts)):
        blank_before(start, f"notice-{number - 1}" if number else "notice-cover")
        reader = read(part)
        writer.append(reader, import_outline=False)
        sheet, page = places[f"box-{number}"]
        box_page = writer.pages[start - 1 + part.anchor[0]]
        form = stamp_clinic_box(writer, box_page, part.anchor, readers[sheet].pages[page])
        if structure:
            element = structure.add_part(reader, range(len(reader.pages)), start - 1, part.language.tag)
            structure.add_box(element, readers[sheet], page, box_page, form)
        if part.slug not in parents:
            parents[part.slug] = writer.add_outline_item(title=part.leaflet_title, page_number=start - 1)
        writer.add_outline_item(title=outline_title(part.language.native_name, part.title),
                                page_number=start - 1, parent=parents[part.slug])

    # Page labels match the page numbers printed in the contents list; the cover (and the
    # blank back of a one-page cover) is i, ii...
    first = starts[0] - 1 if starts else len(writer.pages)
    writer.set_page_label(0, first - 1, style="/r", prefix="Cover ")
    if len(writer.pages) > first:
        writer.set_page_label(first, len(writer.pages) - 1, style="/D", start=first + 1)
    finish_catalog(writer, pack, readers[0], cover_language, structure)
    pack_fonts.share_fonts(writer, pinned_face)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    buffer = io.BytesIO()
    writer.write(buffer)
    return Pdf(data=compact(buffer.getvalue()), pages=len(writer.pages))


def finish_catalog(writer: PdfWriter, pack: Pack, cover: PdfReader, cover_language: Language,
                   structure: packtags.PackStructure | None) -> None:
    """The pack's own title, language and metadata (merging drops the parts'); a print-shop
    pack keeps the PDF/X output intent (the parts share it; trim and bleed boxes travel with
    each page), a standard pack its structure tree."""
    writer.add_metadata({"/Title": f"{pack.title} — {pack.clinic.name}", "/Producer": "leafpub"})
    root = writer.root_object
    root[NameObject("/Lang")] = TextStringObject(cover_language.tag)
    for key in ("/OutputIntents", "/Metadata"):  # the cover's XMP: PDF/UA or PDF/X identification
        if key in cover.root_object:
            root[NameObject(key)] = cover.root_object.raw_get(key).clone(writer)
    root[NameObject("/ViewerPreferences")] = DictionaryObject({NameObject("/DisplayDocTitle"): BooleanObject(True)})
    if structure:
        root[NameObject("/StructTreeRoot")] = structure.finish()
        root[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})


def compact(data: bytes) -> bytes:
    """The same PDF with its dictionaries in compressed object streams, as WeasyPrint writes
    the leaflets (pypdf writes each object as plain text), and the pack's new streams
    (fonts, text maps, boxes) deflated at the highest level. The leaflets' streams stay as
    WeasyPrint deflated them. qpdf (through pikepdf) rewrites it, with a file identifier
    derived from the content, so the same inputs give the same bytes."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return pdfsave.pdf_bytes(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)


def outline_title(language_name: str, title: str) -> str:
    return f"{language_name}: {title}"
