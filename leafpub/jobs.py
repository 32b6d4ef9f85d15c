"""RenderJob (HTML and how to render it) or PackJob (a clinic's pack to assemble) -> JobResult (a
checked PDF, or problems), in a worker process (leafpub/pool.py hands the jobs out).

Each worker imports WeasyPrint once, parses the stylesheet once, and keeps its loaded fonts
for as long as its jobs stay in one language.
"""

from __future__ import annotations

import gc
import io
import os
import resource
import time
from collections import OrderedDict
from dataclasses import dataclass

from .model import Language, Pack, PackPart, Pdf, Settings
from .problems import Problem, ProblemError
from .textgate import PrintedText


@dataclass(frozen=True)
class RenderJob:
    key: str  #: the hash of everything that determines the PDF
    html: str
    variant: str  #: "standard", "large-print", "print" or "pack-part" (pdf.PDF_VARIANTS)
    source: str  #: the file to name in a problem
    locale: str | None = None
    leaflet: str | None = None
    budget: int | None = None  #: most pages allowed
    what: str = "the document"  #: for the page-budget problem: "the Spanish leaflet 'x' (print, A4)"
    validate: bool = True  #: qpdf's check, Ghostscript, embedded fonts, the object scan
    anchor: str | None = None  #: id of an element whose box to report (the clinic box)
    #: what the document prints, which its text must give back as written (textgate.py)
    texts: tuple[PrintedText, ...] = ()
    rtl: bool = False  #: written right to left


@dataclass(frozen=True)
class JobResult:
    key: str
    pdf: Pdf | None
    problems: tuple[Problem, ...] = ()
    #: (page index, left, top) in points from the trim box's top-left
    anchor: tuple[int, float, float] | None = None
    peak_memory_kib: int = 0  #: the worker's peak resident memory so far
    seconds: float = 0.0
    #: for a build's timeline: the worker's process id, when the job began (seconds since
    #: the epoch, comparable between the processes of one machine), and of its seconds,
    #: those spent checking what was rendered (validation, PDF/UA, the text gate)
    worker: int = 0
    began: float = 0.0
    checking: float = 0.0


_renderers: dict = {}


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


def run_pack(settings: Settings, job: PackJob) -> JobResult:
    from pypdf.errors import PdfReadError

    from . import accessibility, packs, validate
    from .internals import pack_fonts

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
        # The whole pack goes through qpdf's check, Ghostscript and the font check. What could
        # run, fetch or carry a file can only come from its parts, so each part is scanned for
        # that, and a base shared by many clinics' packs only once per worker.
        checks_began = time.perf_counter()
        messages = validate.validate_pdf(pdf.data, scan=False)
        for sheet in sheets:
            messages += validate.scan_pdf(sheet.data)
        for part in job.parts:
            messages += scanned_base(part)
        if job.pack.variant in accessibility.CHECKED_VARIANTS:  # a standard pack is tagged: PDF/UA-1
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
    from . import packs, textgate

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
    from . import validate

    if part.base_key not in _scanned_bases:
        _scanned_bases[part.base_key] = validate.scan_pdf(part.base.data)
    return _scanned_bases[part.base_key]


def warm_up(settings: Settings) -> None:
    """A new worker's first task: import WeasyPrint, set up its renderer, render once. A problem
    (a broken stylesheet) is left for the first real job to report."""
    keep_large_blocks_apart()
    try:
        renderer_for(settings).render("<p>", source="warm-up")  # fontconfig reads the pinned fonts
    except ProblemError:
        pass


def keep_large_blocks_apart() -> None:
    """Have glibc give every block of 1 MiB or more its own mapping, returned to the system
    when freed. By default glibc raises that threshold to the largest block freed so far,
    up to 32 MiB: after a CJK render (WeasyPrint copies each CJK font file it draws with),
    such blocks came from the heap, which then kept growing from render to render."""
    import ctypes

    try:  # the C library this process runs on, without looking for it by name
        ctypes.CDLL(None).mallopt(-3, 1024 * 1024)  # M_MMAP_THRESHOLD (malloc.h); -3 on every glibc
    except (OSError, AttributeError):  # not glibc: nothing to change
        pass


def renderer_for(settings: Settings):
    """This worker's renderer: WeasyPrint imported and the stylesheet parsed once."""
    from .pdf import PdfRenderer

    renderer = _renderers.get(settings.root)
    if renderer is None:
        renderer = _renderers[settings.root] = PdfRenderer(settings)
    return renderer


def run(settings: Settings, job) -> JobResult:
    """Run any kind of job (this is what the pools call)."""
    return run_pack(settings, job) if isinstance(job, PackJob) else run_job(settings, job)


def run_job(settings: Settings, job: RenderJob) -> JobResult:
    """Render and check one document in this process (a worker)."""
    started, began, checked = time.perf_counter(), time.time(), 0.0
    problems: list[Problem] = []
    pdf, anchor = None, None
    # The parsed pack bases serve a run of packs (hundreds of clinics' packs share them);
    # a document render comes after them (a build's packs go first) and, in a CJK face,
    # needs the memory more: they are let go.
    _base_readers.clear()
    try:
        renderer = renderer_for(settings)
        pdf, anchors = renderer.render_with_anchors(job.html, source=job.source, variant=job.variant,
                                                    locale=job.locale, leaflet=job.leaflet)
        anchor = anchors.get(job.anchor) if job.anchor else None
        if job.variant == "pack-part":  # a base every clinic's pack copies: its tree made lighter
            from .packtags import folded

            pdf = Pdf(folded(pdf.data), pdf.pages)
        if job.budget is not None and pdf.pages > job.budget:
            problems.append(Problem(job.source, None, f"{job.what} takes {pdf.pages} pages; "
                                    f"its budget is {job.budget}", locale=job.locale, leaflet=job.leaflet))
        else:
            checks_began = time.perf_counter()
            problems += document_problems(job, pdf)
            checked = time.perf_counter() - checks_began
    except ProblemError as error:
        problems += error.problems
    collect_garbage()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return JobResult(job.key, None if problems else pdf, tuple(problems), anchor, peak,
                     time.perf_counter() - started, worker=os.getpid(), began=began, checking=checked)


def document_problems(job: RenderJob, pdf: Pdf) -> list[Problem]:
    """What the gates find in a rendered document: validation (qpdf, Ghostscript, fonts, the
    object scan), PDF/UA for the accessible variants, and text that does not extract as written."""
    from . import accessibility, textgate, validate

    messages = validate.validate_pdf(pdf.data) if job.validate else []
    if job.variant in accessibility.CHECKED_VARIANTS:
        messages += accessibility.pdf_ua_problems(pdf.data)
    problems = [Problem(job.source, None, f"the PDF failed validation: {message}", locale=job.locale,
                        leaflet=job.leaflet) for message in messages]
    for mismatch in textgate.mismatches(pdf.data, job.texts, job.rtl):
        problems.append(Problem(mismatch.printed.source, mismatch.printed.line, textgate.describe(mismatch, job.what),
                                locale=job.locale, leaflet=job.leaflet))
    return problems


_collections = 0
#: Every so many collections, the frozen objects are looked at too (see collect_garbage).
THAW_EVERY = 50


def collect_garbage() -> None:
    """Free what the last document left in reference cycles: CJK renders keep large font
    objects alive otherwise. Whatever is alive afterwards (WeasyPrint's modules, caches,
    the pack bases a worker keeps parsed) is frozen, so the next collection looks only at
    what is new, not at the tens of thousands of objects a worker keeps. A frozen object is still freed when nothing refers to it; so that a
    cycle among them (a pack base dropped from the worker's cache) is freed too, every
    50th collection looks at everything."""
    global _collections
    _collections += 1
    if _collections % THAW_EVERY == 0:
        gc.unfreeze()
    gc.collect()
    gc.freeze()
