"""PackJob (a clinic's pack: its cover and boxes as HTML, the leaflets' bases) -> JobResult (the
merged, checked pack PDF, or problems), in a worker process."""

from __future__ import annotations

import io
import os
import resource
import time
from collections import OrderedDict
from dataclasses import dataclass

from ..model import Language, Pack, PackPart, Pdf, Settings
from ..problems import Problem, ProblemError
from ..render.jobs import DROPPED_BEFORE_A_DOCUMENT, JobResult, collect_garbage, renderer_for
from ..variants import BY_NAME


@dataclass(frozen=True)
class PackJob:
    """A clinic's pack to assemble: its cover and boxes rendered (one document), each box
    stamped into its leaflet, everything merged and the result validated."""

    key: str
    pack: Pack
    #: the HTML of the cover, then parts' boxes (id box-N), each on a page of its own, for
    #: a cover of 1, 2, 3... pages (its contents list gives page numbers)
    covers: tuple[str, ...]
    #: the HTML of the other boxes, one document each (a box in a large CJK face)
    box_sheets: tuple[str, ...]
    parts: tuple[PackPart, ...]
    language: Language  #: the cover's
    #: The language of its boxes in a large (CJK) face, when there is just one: the worker
    #: keeps that face loaded from one such pack to the next (with two, it lets both go)
    large_face: str | None = None

    @property
    def sheet_variant(self) -> str:
        """How its cover and boxes are rendered: a print-shop pack keeps PDF/X (the pack
        takes its output intent from the cover)."""
        return "print" if self.pack.variant == "print" else "pack-part"

    def run(self, settings: Settings) -> JobResult:
        """Assemble and check this pack in this process (a worker)."""
        return run_pack(settings, self)


def run_pack(settings: Settings, job: PackJob) -> JobResult:
    from pypdf.errors import PdfReadError

    from ..pdf import accessibility, validate
    from . import packs
    from ..internals import pack_fonts

    started, began, checked = time.perf_counter(), time.time(), 0.0
    pdf, problems = None, []
    try:
        renderer = renderer_for(settings)
        places: dict[str, tuple[int, int]] = {}  # "box-N", "notice-N" -> (document, page)
        sheets = [None]
        for html in job.box_sheets:
            box_sheet, anchors = renderer.render_with_anchors(html, source="packs.toml", variant=job.sheet_variant,
                                                              faces_of=job.large_face)
            place_boxes(job, box_sheet, anchors, len(sheets), places)
            sheets.append(box_sheet)
            collect_garbage()  # a CJK face is large: let it go before the next
        cover_pages = 1
        while True:
            cover, anchors = renderer.render_with_anchors(job.covers[cover_pages - 1], source="packs.toml",
                                                          variant=job.sheet_variant, faces_of=job.large_face)
            first_box = place_boxes(job, cover, anchors, 0, places)
            if first_box == cover_pages:
                break
            if first_box > len(job.covers):
                raise ProblemError([Problem("packs.toml", job.pack.line, f"pack {job.pack.id!r}: its contents "
                                            f"list takes {first_box} pages; split the pack")])
            cover_pages = first_box
        sheets[0] = cover
        missing = [number for number in range(len(job.parts)) if f"box-{number}" not in places]
        if missing:
            raise ProblemError([Problem("templates/pack-cover.html", None, f"pack {job.pack.id!r}: contact "
                                        f"box {missing[0]} (id box-{missing[0]}) is not laid out")])
        collect_garbage()  # what the renders left goes before the merge reads fonts
        try:
            pdf = packs.merge_pack(job.pack, sheets, cover_pages, places, job.parts, job.language, read=base_reader,
                                   pinned_face=pack_fonts.PinnedFaces(tuple(f.path for f in settings.fonts)).get)
        except (PdfReadError, KeyError, ValueError, TypeError) as error:  # a damaged part
            raise ProblemError([Problem("packs.toml", job.pack.line, f"pack {job.pack.id!r}: its "
                                        f"parts could not be merged ({type(error).__name__}: {error})")]) from None
        # The whole pack goes through qpdf's check, a render of every page and the font check. What could
        # run, fetch or carry a file can only come from its parts, so each part is scanned for
        # that, and a base shared by many clinics' packs only once per worker.
        checks_began = time.perf_counter()
        messages = validate.validate_pdf(pdf.data, scan=False, for_print_shops=BY_NAME[job.pack.variant].for_print_shops)
        for sheet in sheets:
            messages += validate.scan_pdf(sheet.data)
        for part in job.parts:
            messages += scanned_base(part)
        if BY_NAME[job.pack.variant].ua_checked:  # a standard pack is tagged: PDF/UA-1
            messages += accessibility.pdf_ua_problems(pdf.data)
        problems += [Problem("packs.toml", job.pack.line, f"pack {job.pack.id!r}: the PDF failed validation: "
                             f"{message}") for message in dict.fromkeys(messages)]
        problems += clinic_text_problems(job, pdf, cover_pages)
        checked = time.perf_counter() - checks_began
    except ProblemError as error:
        problems += error.problems
    collect_garbage()
    return JobResult(job.key, None if problems else pdf, tuple(problems),
                     peak_memory_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                     seconds=time.perf_counter() - started, worker=os.getpid(), began=began, checking=checked)


def clinic_text_problems(job: PackJob, pdf: Pdf, cover_pages: int) -> list[Problem]:
    """The text gate for a pack's clinic details: those the cover prints must come back from
    the cover's pages as written, and every detail from each leaflet's box page (the
    leaflets themselves passed the gate when they were rendered). A page in a right-to-left
    language is read with pypdf, as the leaflets are: PDFium reorders the groups of digits
    of a phone number there."""
    from . import packs
    from ..pdf import textgate

    clinic = job.pack.clinic
    details = [value for value in dict.fromkeys([clinic.name, *clinic.address, clinic.phone, clinic.hours,
                                                 clinic.email, clinic.website]) if value.strip()]
    starts = packs.contents_pages(cover_pages, job.parts, job.pack.sides)
    places = [(tuple(range(cover_pages)), [clinic.name, *clinic.address, clinic.phone], job.language.direction)]
    places += [((start - 1 + part.anchor[0],), details, part.language.direction) for part, start in zip(job.parts, starts)]
    checks = []  # (pages, texts, extracted right to left, compared right to left)
    for pages, shown, direction in places:
        for rtl in (False, True):
            texts = [textgate.PrintedText(value, "packs.toml", job.pack.line, f"clinic detail {value!r}")
                     for value in dict.fromkeys(shown) if value in details and textgate.right_to_left(value) == rtl]
            if texts:
                checks.append((pages, texts, rtl or direction == "rtl", rtl))
    read = {}
    for extractor in (False, True):
        numbers = sorted({number for pages, _, by, _ in checks if by == extractor for number in pages})
        if numbers:
            read.update(zip(((extractor, n) for n in numbers), textgate.page_texts(pdf.data, extractor, numbers)))
    mismatches = [mismatch for pages, texts, by, rtl in checks
                  for mismatch in textgate.missing(texts, [read[(by, number)] for number in pages], rtl)]
    first = {mismatch.printed: mismatch for mismatch in reversed(mismatches)}  # one problem a detail
    return [Problem("packs.toml", job.pack.line, textgate.describe(mismatch, f"pack {job.pack.id!r}"),
                    pack=job.pack.id) for mismatch in reversed(first.values())]


def place_boxes(job: PackJob, sheet: Pdf, anchors: dict, document: int, places: dict) -> int:
    """Record on which page of `sheet` each box and blank-page notice is, and return the
    first (the cover's length when the sheet begins with the cover). Each has a page of its
    own: one whose text does not fit runs onto a second page, a problem for the pack."""
    stamps = sorted((anchors[name][0], name) for name in anchors if name.startswith(("box-", "notice-")))
    pages = [page for page, _ in stamps]
    overflowing = [name for (page, name), next_page in zip(stamps, pages[1:] + [sheet.pages])
                   if next_page != page + 1]
    problems = []
    for name in overflowing:
        kind, _, number = name.partition("-")
        part = job.parts[int(number)] if number.isdigit() else None
        where = f"{part.language.english_name} ({job.pack.paper})" if part else job.language.english_name
        problems.append(Problem(
            "packs.toml", job.pack.line, f"the details of clinic {job.pack.clinic.name!r} do not fit its "
            f"contact box in {where}: shorten them" if kind == "box" else
            f"pack {job.pack.id!r}: the blank-page notice in {where} does not fit on one line",
            locale=part.language.locale if part else None))
    if problems:
        raise ProblemError(problems)
    places.update({name: (document, page) for page, name in stamps})
    return pages[0] if pages else sheet.pages


_base_readers: OrderedDict = OrderedDict()
DROPPED_BEFORE_A_DOCUMENT.append(_base_readers)
BASE_READERS = 64  #: the bases a worker keeps parsed


def base_reader(part: PackPart):
    """A pack part's base PDF, parsed once per worker: pypdf keeps the objects it has read,
    so the next pack with the same leaflet and language copies them without parsing."""
    from pypdf import PdfReader

    if part.base_key in _base_readers:
        _base_readers.move_to_end(part.base_key)
    else:
        _base_readers[part.base_key] = PdfReader(io.BytesIO(part.base.data))
        while len(_base_readers) > BASE_READERS:
            _base_readers.popitem(last=False)
    return _base_readers[part.base_key]


_scanned_bases: dict[str, list[str]] = {}


def scanned_base(part: PackPart) -> list[str]:
    """What scan_pdf finds in a pack part's base, once per worker."""
    from ..pdf import validate

    if part.base_key not in _scanned_bases:
        _scanned_bases[part.base_key] = validate.scan_pdf(part.base.data)
    return _scanned_bases[part.base_key]
