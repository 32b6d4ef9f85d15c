"""The hand-written baseline: the HTML a build wrote (`build --dump-html DIR`) rendered with plain
WeasyPrint in two processes, each with one FontConfiguration and the stylesheet parsed once.

    python benchmarks/loop.py DIR BASE_URL FONTCONFIG_FILE

It validates nothing, assembles no pack and publishes nothing: what a careful script would do.
Prints the number of documents rendered.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from pathlib import Path

#: The build's PDF variants as WeasyPrint names them (leafpub/variants.py's pdf_standard of each).
VARIANTS = {"standard": "pdf/ua-1", "large-print": "pdf/ua-1", "print": "pdf/x-4", "pack-part": "pdf/ua-1"}
FONTS = STYLESHEET = None


def start(stylesheet: str) -> None:
    global FONTS, STYLESHEET
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    FONTS = FontConfiguration()
    STYLESHEET = CSS(filename=stylesheet, font_config=FONTS)


def render(job: tuple[str, str, str]) -> int:
    from weasyprint import HTML

    path, variant, base_url = job
    data = HTML(filename=path, base_url=base_url).write_pdf(
        pdf_variant=VARIANTS.get(variant), font_config=FONTS, stylesheets=[STYLESHEET])
    return len(data)


def main(dump: Path, base_url: str, fontconfig: str) -> int:
    os.environ["FONTCONFIG_FILE"] = fontconfig  # the pinned fonts, as the build uses them
    index = json.loads((dump / "index.json").read_text())
    jobs = [(str(dump / name), variant, base_url) for name, variant in index.items()]
    with multiprocessing.get_context("fork").Pool(2, initializer=start, initargs=(str(dump / "leaflet.css"),)) as pool:
        sizes = pool.map(render, jobs, chunksize=1)
    print(len(sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
