"""The PDF stage: one HTML document -> one checked PDF, or its problems, in a worker process.

    pdf.py            HTML -> PDF with WeasyPrint, per variant (PDF/UA-1 or PDF/X-4), fonts pinned
    printshop.py      a standard leaflet's PDF -> its print-shop PDF/X-4 (bleed, marks, output intent)
    actualtext.py     what each glyph stands for, so text extracts as written
    packtags.py       a pack's structure tree: its leaflets' trees folded under the pack's
    validate.py       qpdf's check, Ghostscript, embedded fonts, a scan for what could run
    accessibility.py  the PDF/UA-1 check of the accessible variants
    textgate.py       what a document prints -> whether its text extracts as written
    thumbnails.py     page 1 -> the download site's PNG
"""
