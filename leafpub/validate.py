"""A rendered PDF -> the problems a print shop or a PDF reader would find in it.

qpdf checks the file's structure, Ghostscript renders every page, and pdffonts
confirms that every font is embedded. A PDF that fails is not published.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 120  # seconds per tool; a PDF that takes longer is treated as broken


def validate_pdf(data: bytes) -> list[str]:
    """One line per problem found; an empty list means the PDF is fit to publish."""
    with tempfile.TemporaryDirectory(prefix="leafpub-validate-") as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        problems: list[str] = []
        qpdf = run(["qpdf", "--check", str(path)])
        if qpdf.returncode != 0:  # 0: no problems; 2: errors; 3: warnings (a repaired file)
            problems.append("qpdf --check: " + summary(qpdf))
        ghostscript = run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=nullpage",
                           "-dPDFSTOPONERROR", "-dPDFSTOPONWARNING", str(path)])
        if ghostscript.returncode != 0 or ghostscript.stdout.strip() or ghostscript.stderr.strip():
            problems.append("Ghostscript could not render it: " + summary(ghostscript))
        fonts = run(["pdffonts", str(path)])
        if fonts.returncode != 0:
            problems.append("pdffonts: " + summary(fonts))
        else:
            for line in fonts.stdout.splitlines()[2:]:
                fields = line.split()
                if len(fields) >= 5 and fields[-5] != "yes":
                    problems.append(f"font {fields[0]} is not embedded")
        return [problem.replace(str(path), "the PDF") for problem in problems]


def run(command: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", f"timed out after {TIMEOUT} s")


def summary(result: subprocess.CompletedProcess) -> str:
    text = " ".join((result.stderr + " " + result.stdout).split())
    return (text[:200] or f"exit status {result.returncode}")
