"""RenderJob (HTML and how to render it) -> JobResult (a checked PDF, or problems), in a worker
process (leafpub/render/pool.py hands out jobs: this one, or packs/pack_job.py's PackJob; each carries
its own `run`).

Each worker imports WeasyPrint once, parses the stylesheet once, and keeps its loaded fonts
for as long as its jobs stay in one language.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import resource
import time
from dataclasses import dataclass

from ..model import Pdf, Settings
from ..problems import Problem, ProblemError
from ..pdf.textgate import PrintedText
from ..variants import BY_NAME


@dataclass(frozen=True)
class RenderJob:
    key: str  #: the hash of everything that determines the PDF
    html: str
    variant: str  #: a name in variants.TABLE: "standard", "large-print", "print" or "pack-part"
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
    #: the print-shop copy to make of this standard leaflet once it passes its checks
    print_copy: PrintCopy | None = None

    def run(self, settings: Settings) -> JobResult:
        """Render and check this document in this process (a worker)."""
        result = run_job(settings, self)
        if self.print_copy is None:
            return result
        if result.pdf is None:  # the layout it shares failed: so does the copy, for the same reasons
            copy = JobResult(self.print_copy.key, None, result.problems, worker=result.worker, began=result.began)
        else:
            copy = PrintJob(self.print_copy.key, result.pdf, self.print_copy.what, self.source, self.locale,
                            self.leaflet, self.texts, self.rtl, result.anchor, self.print_copy.validate).run(settings)
        return dataclasses.replace(result, also=(copy,))


@dataclass(frozen=True)
class PrintCopy:
    """Which print-shop PDF a standard leaflet's job also makes (pdf/printshop.py)."""

    key: str  #: the print-shop PDF's own key
    what: str  #: how a problem names it: "the Spanish leaflet 'x' (print, A4)"
    validate: bool = True  #: False for a pack's leaflet, checked as part of each pack


@dataclass(frozen=True)
class PrintJob:
    """A print-shop PDF made from its standard leaflet's checked PDF, then checked itself as
    every PDF is (validation, with Ghostscript as a print RIP reads it, and the text gate)."""

    key: str
    standard: Pdf
    what: str
    source: str
    locale: str | None = None
    leaflet: str | None = None
    texts: tuple[PrintedText, ...] = ()
    rtl: bool = False
    #: where the standard leaflet's clinic box is (a pack's leaflet): the same on the copy's trim
    anchor: tuple[int, float, float] | None = None
    validate: bool = True

    def run(self, settings: Settings) -> JobResult:
        from ..pdf.printshop import derive_print_pdf

        started, began = time.perf_counter(), time.time()
        pdf = derive_print_pdf(self.standard, print_profile(settings))
        checks_began = time.perf_counter()
        job = RenderJob(self.key, "", "print", self.source, self.locale, self.leaflet, what=self.what,
                        validate=self.validate, texts=self.texts, rtl=self.rtl)
        problems = tuple(document_problems(job, pdf))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return JobResult(self.key, None if problems else pdf, problems, self.anchor, peak, time.perf_counter() - started,
                         worker=os.getpid(), began=began, checking=time.perf_counter() - checks_began)


_profiles: dict = {}


def print_profile(settings: Settings) -> bytes | None:
    """The pinned CMYK profile of the print-shop PDFs' output intent, read once per worker."""
    pinned = settings.print_profile
    if pinned is None:
        return None
    if pinned.path not in _profiles:
        _profiles[pinned.path] = pinned.path.read_bytes()
    return _profiles[pinned.path]


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
    #: the results of documents made from this one in the same job (its print-shop copy)
    also: tuple[JobResult, ...] = ()


_renderers: dict = {}
#: What a worker keeps for another kind of job (packs/pack_job.py's parsed pack bases), dropped before
#: each document render.
DROPPED_BEFORE_A_DOCUMENT: list[dict] = []


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
    from ..pdf.pdf import PdfRenderer

    renderer = _renderers.get(settings.root)
    if renderer is None:
        renderer = _renderers[settings.root] = PdfRenderer(settings)
    return renderer


def run_job(settings: Settings, job: RenderJob) -> JobResult:
    """Render and check one document in this process (a worker)."""
    started, began, checked = time.perf_counter(), time.time(), 0.0
    problems: list[Problem] = []
    pdf, anchor = None, None
    # What a worker keeps for a run of packs (hundreds of clinics' packs share their parsed
    # bases) is let go: a document render comes after them (a build's packs go first) and,
    # in a CJK face, needs the memory more.
    for cache in DROPPED_BEFORE_A_DOCUMENT:
        cache.clear()
    try:
        renderer = renderer_for(settings)
        pdf, anchors = renderer.render_with_anchors(job.html, source=job.source, variant=job.variant,
                                                    locale=job.locale, leaflet=job.leaflet)
        anchor = anchors.get(job.anchor) if job.anchor else None
        if job.variant == "pack-part":  # a base every clinic's pack copies: its tree made lighter
            from ..pdf.packtags import folded

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
    from ..pdf import accessibility, textgate, validate

    variant = BY_NAME[job.variant]
    messages = validate.validate_pdf(pdf.data, for_print_shops=variant.for_print_shops) if job.validate else []
    if variant.ua_checked:
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
