"""A rendered PDF -> the problems a print shop or a PDF reader would find in it.

qpdf (in this process, through pikepdf) checks the file's structure and that every font
is embedded, every page is rendered (by Ghostscript, as a print shop's RIP would, for
print-shop files; by PDFium, the engine of Chrome's viewer, for the others), and every
object is scanned for what could run, fetch or carry a file. A PDF that fails is not
published.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from ..internals.worker_exit import at_exit

TIMEOUT = 120  # seconds per tool; a PDF that takes longer is treated as broken


def validate_pdf(data: bytes, scan: bool = True, for_print_shops: bool = True) -> list[str]:
    """One line per problem found; an empty list means the PDF is fit to publish.
    `scan=False` leaves out the object scan, for a PDF whose parts were scanned on their own;
    `for_print_shops=False` has PDFium render the pages instead of Ghostscript."""
    import pikepdf

    rendered = ghostscript_problems if for_print_shops else pdfium_problems
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as error:  # not even qpdf's repair could read it
        return [f"qpdf --check: {plain(str(error))}", *rendered(data)]
    with pdf:
        problems = []
        # pikepdf's check_pdf_syntax follows qpdf --check (QPDFJob::doCheck) step by step,
        # in this process: no qpdf to start for each PDF.
        found = pdf.check_pdf_syntax()
        if found:
            problems.append("qpdf --check: " + plain("; ".join(found)))
        problems += rendered(data)
        problems += [f"font {name} is not embedded" for name in unembedded_fonts(pdf)]
        if scan:
            problems += scan_objects(pdf)
    return problems


def ghostscript_problems(data: bytes) -> list[str]:
    said = GHOSTSCRIPT.rasterise(data)
    return [f"Ghostscript could not render it: {said}"] if said is not None else []


#: PDFium draws every operator and glyph at any size; at 10 dpi it costs least.
PDFIUM_SCALE = 10 / 72


def pdfium_problems(data: bytes) -> list[str]:
    """PDFium opens the file and renders every page (it reports what stops it, not what it
    works around; Ghostscript, stricter, reads the print-shop files)."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        return [f"PDFium could not open it: {plain(str(error))}"]
    try:
        for number in range(len(document)):
            page = document[number]
            page.render(scale=PDFIUM_SCALE).close()
            page.close()
    except pypdfium2.PdfiumError as error:
        return [f"PDFium could not render page {number + 1}: {plain(str(error))}"]
    finally:
        document.close()
    return []


def plain(message: str) -> str:
    """qpdf's message without the Python object it read from, shortened."""
    return " ".join(re.sub(r"(stream )?<_io\.BytesIO object at 0x[0-9a-f]+>", "the PDF", message).split())[:300]


def unembedded_fonts(pdf) -> list[str]:
    """The name of every font in the file whose program is not embedded. A Type0 font's
    program is in its descendant (a font object of its own); a Type3 font is drawn by the
    PDF itself."""
    import pikepdf

    names = []
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/Font":
            continue
        if str(obj.get("/Subtype")) in ("/Type0", "/Type3"):
            continue
        descriptor = obj.get("/FontDescriptor")
        if descriptor is None or not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            names.append(str(obj.get("/BaseFont", "/unnamed"))[1:].split("+")[-1])
    return sorted(set(names))


class Ghostscript:
    """One Ghostscript interpreter kept running in this process, rendering every page of
    each PDF it is given. Starting Ghostscript costs more than rendering a leaflet's pages,
    so a worker starts it once, not once a document. It runs with
    -dSAFER and may read only its own folder; after any failure it is restarted, so no
    state carries over from a bad PDF."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.folder: Path | None = None
        self.mark = f"leafpub-{secrets.token_hex(8)}-"  # what no PDF can print
        self.lock = threading.Lock()

    def rasterise(self, data: bytes) -> str | None:
        """None when every page renders without error or warning; what Ghostscript said
        (or that it crashed or timed out) otherwise."""
        with self.lock:  # one PDF at a time, even from a worker's threads
            return self.rasterise_one(data)

    def rasterise_one(self, data: bytes) -> str | None:
        if self.process is None or self.process.poll() is not None or not self.folder.is_dir():
            self.start()  # first use, a crash, or its folder removed by a temp cleaner
        path = self.folder / "document.pdf"
        path.write_bytes(data)
        # Each PDF runs inside `stopped`, so an error ends that PDF, not the interpreter.
        try:
            self.process.stdin.write(
                f"({postscript_string(str(path))}) {{run}} stopped "
                f"{{(\\n{self.mark}failed\\n)}} {{(\\n{self.mark}ok\\n)}} ifelse print flush\n".encode())
            self.process.stdin.flush()
        except BrokenPipeError:
            self.close()
            return "Ghostscript stopped"
        output, status = self.read_until_mark()
        said = " ".join(output.split())
        if status != "ok" or said:
            self.close()
            return said[:200] or {"failed": "error", None: "no answer"}.get(status, status)
        return None

    def read_until_mark(self) -> tuple[str, str | None]:
        """Everything Ghostscript prints up to the mark after the PDF, and the mark's word."""
        output, deadline = b"", time.monotonic() + TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while True:
                text = output.decode("utf-8", "replace")
                if self.mark in text and text.endswith("\n"):
                    before, _, after = text.rpartition(self.mark)
                    return before, after.strip()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return text, f"timed out after {TIMEOUT} s"
                if not selector.select(remaining):
                    continue
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:  # it crashed
                    return text, None
                output += chunk

    def start(self) -> None:
        self.close()
        self.folder = Path(tempfile.mkdtemp(prefix="leafpub-gs-"))
        self.process = subprocess.Popen(
            ["gs", "-q", "-dSAFER", "-dNOPAUSE", "-dNOPROMPT", "-sDEVICE=nullpage",
             # Every operator is interpreted and every glyph drawn, but no pixel is looked
             # at: a low resolution draws them sooner than the default 72 dpi.
             "-r10", "-dPDFSTOPONERROR", "-dPDFSTOPONWARNING", f"--permit-file-read={self.folder}/"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process.stdin.close()
            self.process.stdout.close()
            self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def postscript_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


GHOSTSCRIPT = Ghostscript()
at_exit(GHOSTSCRIPT.close)


#: What a patient leaflet never contains: attached or embedded files, scripts, actions that
#: launch programs, submit forms or open other documents, and links (we print no links).
FORBIDDEN_KEYS = {"/JS": "JavaScript", "/JavaScript": "JavaScript", "/EmbeddedFile": "an embedded file",
                  "/EmbeddedFiles": "embedded files", "/RichMedia": "rich media", "/XFA": "an XFA form"}
FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/URI", "/GoToR", "/GoToE", "/ImportData", "/SubmitForm",
                     "/ResetForm", "/Rendition", "/Movie", "/Sound"}
FORBIDDEN_ANNOTATIONS = {"/FileAttachment", "/Movie", "/Sound", "/Screen", "/RichMedia", "/Widget"}


def scan_pdf(data: bytes) -> list[str]:
    """Every object of the PDF, looked at for what could run, fetch or carry a file."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return scan_objects(pdf)
    except pikepdf.PdfError:
        return ["qpdf cannot read it"]


def scan_objects(pdf) -> list[str]:
    import pikepdf

    found = set()
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
            continue
        for dictionary in direct_dictionaries(obj):
            for key, what in FORBIDDEN_KEYS.items():
                if key in dictionary:
                    found.add(f"contains {what}")
            action = str(dictionary.get("/S", ""))
            if action in FORBIDDEN_ACTIONS:
                found.add(f"contains a {action[1:]} action")
            subtype = str(dictionary.get("/Subtype", ""))
            if subtype in FORBIDDEN_ANNOTATIONS and str(dictionary.get("/Type", "/Annot")) == "/Annot":
                found.add(f"contains a {subtype[1:]} annotation")
            if "/AA" in dictionary:
                found.add("contains automatic actions (/AA)")
    return sorted(found)


def direct_dictionaries(obj, depth: int = 0):
    """A dictionary and the dictionaries written inside it (not those it refers to, which
    are objects of their own)."""
    import pikepdf

    if depth > 32 or (depth and obj.is_indirect):
        return
    if isinstance(obj, pikepdf.Dictionary):
        yield obj
        values = obj.values()
    elif isinstance(obj, pikepdf.Array):
        values = obj
    else:
        return
    for value in values:
        if isinstance(value, (pikepdf.Dictionary, pikepdf.Array)):
            yield from direct_dictionaries(value, depth + 1)
