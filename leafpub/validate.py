"""A rendered PDF -> the problems a print shop or a PDF reader would find in it.

qpdf checks the file's structure, Ghostscript renders every page, and pdffonts
confirms that every font is embedded. A PDF that fails is not published.
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import os
import secrets
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

TIMEOUT = 120  # seconds per tool; a PDF that takes longer is treated as broken


def validate_pdf(data: bytes, scan: bool = True) -> list[str]:
    """One line per problem found; an empty list means the PDF is fit to publish.
    `scan=False` leaves out scan_pdf, for a PDF whose parts were scanned on their own."""
    with tempfile.TemporaryDirectory(prefix="leafpub-validate-") as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        problems: list[str] = []
        qpdf = run(["qpdf", "--check", str(path)])
        if qpdf.returncode != 0:  # 0: no problems; 2: errors; 3: warnings (a repaired file)
            problems.append("qpdf --check: " + summary(qpdf))
        said = GHOSTSCRIPT.render(data)
        if said is not None:
            problems.append("Ghostscript could not render it: " + said)
        fonts = run(["pdffonts", str(path)])
        if fonts.returncode != 0:
            problems.append("pdffonts: " + summary(fonts))
        else:
            for line in fonts.stdout.splitlines()[2:]:
                fields = line.split()
                if len(fields) >= 5 and fields[-5] != "yes":
                    problems.append(f"font {fields[0]} is not embedded")
        if scan:
            problems += scan_pdf(data)
        return [problem.replace(str(path), "the PDF") for problem in problems]


class Ghostscript:
    """One Ghostscript interpreter kept running in this process, rendering every page of
    each PDF it is given. Starting Ghostscript costs 40 ms, more than rendering a leaflet's
    pages (about 25 ms), so a worker starts it once, not once a document. It runs with
    -dSAFER and may read only its own folder; after any failure it is restarted, so no
    state carries over from a bad PDF."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.folder: Path | None = None
        self.mark = f"leafpub-{secrets.token_hex(8)}-"  # what no PDF can print
        self.lock = threading.Lock()

    def render(self, data: bytes) -> str | None:
        """None when every page renders without error or warning; what Ghostscript said
        (or that it crashed or timed out) otherwise."""
        with self.lock:  # one PDF at a time, even from a worker's threads
            return self.render_one(data)

    def render_one(self, data: bytes) -> str | None:
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
             "-dPDFSTOPONERROR", "-dPDFSTOPONWARNING", f"--permit-file-read={self.folder}/"],
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
atexit.register(GHOSTSCRIPT.close)
# Pool workers end through multiprocessing, which runs its own finalizers, not atexit's.
multiprocessing.util.Finalize(None, GHOSTSCRIPT.close, exitpriority=10)


def run(command: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", f"timed out after {TIMEOUT} s")


def summary(result: subprocess.CompletedProcess) -> str:
    text = " ".join((result.stderr + " " + result.stdout).split())
    return (text[:200] or f"exit status {result.returncode}")


#: What a patient leaflet never contains: attached or embedded files, scripts, actions that
#: launch programs, submit forms or open other documents, and links (we print no links).
FORBIDDEN_KEYS = {"/JS": "JavaScript", "/JavaScript": "JavaScript", "/EmbeddedFile": "an embedded file",
                  "/EmbeddedFiles": "embedded files", "/RichMedia": "rich media", "/XFA": "an XFA form"}
FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/URI", "/GoToR", "/GoToE", "/ImportData", "/SubmitForm",
                     "/ResetForm", "/Rendition", "/Movie", "/Sound"}
FORBIDDEN_ANNOTATIONS = {"/FileAttachment", "/Movie", "/Sound", "/Screen", "/RichMedia", "/Widget"}


def scan_pdf(data: bytes) -> list[str]:
    """Every object of the PDF, looked at for what could run, fetch or carry a file."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from pypdf.generic import IndirectObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        numbers = {(number, generation) for generation, table in reader.xref.items() for number in table}
        numbers |= {(number, 0) for number in reader.xref_objStm}
    except (PdfReadError, KeyError, ValueError, TypeError):
        return ["pypdf cannot read it"]
    found = set()
    for number, generation in sorted(numbers):
        try:
            obj = reader.get_object(IndirectObject(number, generation, reader))
        except Exception:  # a free or broken object: qpdf and Ghostscript judge those
            continue
        for dictionary in direct_dictionaries(obj):
            for key, what in FORBIDDEN_KEYS.items():
                if key in dictionary:
                    found.add(f"contains {what}")
            if dictionary.get("/S") in FORBIDDEN_ACTIONS:
                found.add(f"contains a {str(dictionary['/S'])[1:]} action")
            if dictionary.get("/Subtype") in FORBIDDEN_ANNOTATIONS and dictionary.get("/Type", "/Annot") == "/Annot":
                found.add(f"contains a {str(dictionary['/Subtype'])[1:]} annotation")
            if "/AA" in dictionary:
                found.add("contains automatic actions (/AA)")
    return sorted(found)


def direct_dictionaries(obj, depth: int = 0):
    """A dictionary and the dictionaries written inside it (not those it refers to, which
    are objects of their own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if depth > 32 or isinstance(obj, IndirectObject):
        return
    if isinstance(obj, DictionaryObject):
        yield obj
        values = obj.values()
    elif isinstance(obj, ArrayObject):
        values = obj
    else:
        return
    for value in values:
        yield from direct_dictionaries(value, depth + 1)
