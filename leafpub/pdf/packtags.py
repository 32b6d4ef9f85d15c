"""The tagged PDFs a pack is merged from (pypdf readers, and the pack's pages their pages
became) -> the pack's one structure tree: the cover's, then each leaflet's in its language,
with the clinic's box as tagged text where the leaflet left its box empty.

No PDF library merges structure trees (pypdf, qpdf and PyMuPDF drop them), so this module
does it with pypdf's public objects, following ISO 32000-1, 14.7: a structure element
points to its page (/Pg) and to marked content on it by number (MCID); the parent tree maps
each page's (or form's) /StructParents key to the elements of its marked content, in MCID
order. WeasyPrint gives every page top-level elements of its own, so a document's elements
split cleanly by page. Copying an element with pypdf's clone() maps its /Pg to the pack's
copy of that page (pypdf keeps, per source, which object became which).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject, PdfObject,
                           TextStringObject)

from .. import pdfsave
from ..pdfobjects import add_object

TYPE, KIDS, PARENT, PAGE = NameObject("/Type"), NameObject("/K"), NameObject("/P"), NameObject("/Pg")


class PackStructure:
    """The structure tree of a pack being merged: a Document of parts, in reading order."""

    def __init__(self, writer: PdfWriter, language_tag: str):
        self.writer = writer
        self.parents: list[tuple[int, PdfObject]] = []  #: the parent tree's (key, value) pairs
        self.root = add_object(writer, DictionaryObject({TYPE: NameObject("/StructTreeRoot")}))
        self.document = element(writer, "/Document", self.root, language_tag)
        self.root.get_object()[KIDS] = ArrayObject([self.document])  # the writer holds a copy of what was added

    def add_part(self, reader: PdfReader, source_pages: Sequence[int], first_page: int,
                 language_tag: str) -> IndirectObject:
        """A part holding the elements of `reader`'s pages `source_pages`, which are now the
        pack's pages from `first_page` on, in the part's language. Returns the part."""
        part = element(self.writer, "/Part", self.document, language_tag)
        self.document.get_object()[KIDS].append(part)
        pages = [reader.pages[index] for index in source_pages]
        wanted = {page.indirect_reference.idnum for page in pages}
        for kid in top_elements(reader):
            if kid.get_object().raw_get(PAGE).idnum in wanted:
                copy = kid.get_object().clone(self.writer, ignore_fields=(PARENT,)).indirect_reference
                part.get_object()[KIDS].append(copy)
                hang(copy, part)
        numbers = parent_numbers(reader)
        for offset, source in enumerate(pages):
            page = self.writer.pages[first_page + offset]
            if "/StructParents" in source:
                content = numbers[source["/StructParents"]].clone(self.writer, ignore_fields=(PARENT,))
                self.give_parents(content, part)
                page[NameObject("/StructParents")] = NumberObject(self.key(content))
            for annotation in page.get("/Annots", ()):
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    owner = numbers[annotation["/StructParent"]].clone(self.writer, ignore_fields=(PARENT,))
                    annotation[NameObject("/StructParent")] = NumberObject(self.key(owner))
        return part

    def add_box(self, part: IndirectObject, reader: PdfReader, source_page: int, page: PageObject,
                form: IndirectObject) -> None:
        """The elements of `reader`'s page `source_page`, drawn on `page` as the form XObject
        `form`, in place of the part's empty box (the last empty /Div on that page) or, if
        it has none, at the part's end. Their marked content is the form's (an MCR with /Stm)."""
        source = reader.pages[source_page]
        kept = (PARENT, PAGE)
        elements = [kid.get_object().clone(self.writer, ignore_fields=kept).indirect_reference
                    for kid in top_elements(reader)
                    if kid.get_object().raw_get(PAGE).idnum == source.indirect_reference.idnum]
        kids = part.get_object()[KIDS]
        empty = [index for index, kid in enumerate(kids) if kid.get_object().raw_get(PAGE) == page.indirect_reference
                 and kid.get_object()["/S"] == "/Div" and not kid.get_object()[KIDS]]
        at = empty[-1] if empty else len(kids)
        if empty:
            del kids[at]
        for offset, kid in enumerate(elements):
            kids.insert(at + offset, kid)
            hang(kid, part)
        for parent in walk(elements):
            parent[PAGE] = page.indirect_reference
            parent[KIDS] = ArrayObject(
                DictionaryObject({TYPE: NameObject("/MCR"), NameObject("/MCID"): kid, NameObject("/Stm"): form})
                if isinstance(kid, int) else kid for kid in as_list(parent.get(KIDS)))
        if "/StructParents" in source:
            content = parent_numbers(reader)[source["/StructParents"]].clone(self.writer, ignore_fields=kept)
            form.get_object()[NameObject("/StructParents")] = NumberObject(self.key(content))

    def finish(self) -> IndirectObject:
        """The StructTreeRoot, its parent tree written out."""
        root = self.root.get_object()
        numbers = ArrayObject()
        for key, value in self.parents:
            numbers += [NumberObject(key), value]
        root[NameObject("/ParentTree")] = add_object(self.writer, DictionaryObject({NameObject("/Nums"): numbers}))
        root[NameObject("/ParentTreeNextKey")] = NumberObject(len(self.parents))
        return self.root

    def key(self, value: PdfObject) -> int:
        self.parents.append((len(self.parents), value))
        return len(self.parents) - 1

    def give_parents(self, content: PdfObject, part: IndirectObject) -> None:
        """Elements a page's marked content belongs to that are in no element's kids (WeasyPrint
        maps page headers and footers that way) hang from the part, outside its kids, as in
        their own document."""
        for entry in as_list(content):
            if isinstance(entry, IndirectObject) and PARENT not in entry.get_object():
                hang(entry, part)


def hang(kid: IndirectObject, parent: IndirectObject) -> None:
    """Make `parent` the /P of `kid`, and every element under `kid` its own parent's kid."""
    kid.get_object()[PARENT] = parent
    for current in walk([kid]):
        for child in as_list(current.get(KIDS)):
            if isinstance(child, IndirectObject) and "/S" in child.get_object():
                child.get_object()[PARENT] = current.indirect_reference


def element(writer: PdfWriter, kind: str, parent: IndirectObject, language_tag: str | None = None) -> IndirectObject:
    value = DictionaryObject({TYPE: NameObject("/StructElem"), NameObject("/S"): NameObject(kind), PARENT: parent,
                              KIDS: ArrayObject()})
    if language_tag:
        value[NameObject("/Lang")] = TextStringObject(language_tag)
    return add_object(writer, value)


def top_elements(reader: PdfReader) -> list[IndirectObject]:
    """The elements under a WeasyPrint document's /Document element, in order."""
    document = as_list(reader.root_object["/StructTreeRoot"][KIDS])[0].get_object()
    return [kid for kid in as_list(document[KIDS]) if isinstance(kid, IndirectObject)]


def parent_numbers(reader: PdfReader) -> dict[int, PdfObject]:
    """A document's parent tree as {key: value} (a number tree: /Nums, or /Kids of such)."""
    found, nodes = {}, [reader.root_object["/StructTreeRoot"]["/ParentTree"].get_object()]
    while nodes:
        node = nodes.pop()
        numbers = node.get("/Nums", ())
        found.update((int(numbers[index]), numbers[index + 1]) for index in range(0, len(numbers), 2))
        nodes += [kid.get_object() for kid in node.get("/Kids", ())]
    return found


def as_list(value) -> list:
    if value is None:
        return []
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return list(value) if isinstance(value, list) else [value]


def walk(elements: Sequence[IndirectObject]) -> Iterator[DictionaryObject]:
    """Every structure element in these subtrees, parents before their kids."""
    stack = list(reversed(elements))
    while stack:
        current = stack.pop().get_object()
        yield current
        stack += reversed([kid for kid in as_list(current.get(KIDS))
                           if isinstance(kid, IndirectObject) and "/S" in kid.get_object()])


#: Keys that give a /Span a meaning of its own: one without them only wraps its text.
MEANINGFUL = ("/Lang", "/A", "/Alt", "/ActualText", "/E", "/T", "/ID", "/C")


def folded(data: bytes) -> bytes:
    """A tagged PDF with each bare /Span that WeasyPrint makes for one run of text (no
    language, no attribute, only marked content on its parent's page) folded into its
    parent: the parent holds the run's marked content itself. The reading is the same; the
    tree has about half the elements, which every clinic's pack copies, writes and checks."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            return data
        folded_into = {}
        for parent in list(pdf.objects):
            if not isinstance(parent, pikepdf.Dictionary) or parent.get("/Type") != "/StructElem" \
                    or not isinstance(parent.get("/K"), pikepdf.Array):
                continue
            kids, changed = pikepdf.Array(), False
            for kid in parent.K:
                if bare_span(kid, parent):
                    kids.extend(kid.K)
                    folded_into[kid.objgen] = parent
                    changed = True
                else:
                    kids.append(kid)
            if changed:
                parent.K = kids
        numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
        for index in range(1, len(numbers), 2):
            if isinstance(numbers[index], pikepdf.Array):
                numbers[index] = pikepdf.Array([folded_into.get(entry.objgen, entry)
                                                if isinstance(entry, pikepdf.Dictionary) else entry
                                                for entry in numbers[index]])
        return pdfsave.pdf_bytes(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def bare_span(kid, parent) -> bool:
    """Whether a kid is a /Span with only marked content (by number) on its parent's page."""
    import pikepdf

    return (isinstance(kid, pikepdf.Dictionary) and kid.is_indirect and kid.get("/S") == "/Span"
            and not any(key in kid for key in MEANINGFUL) and isinstance(kid.get("/K"), pikepdf.Array)
            and all(isinstance(number, int) for number in kid.K)
            and kid.get("/Pg") is not None and parent.get("/Pg") is not None and kid.Pg.objgen == parent.Pg.objgen)
