"""pdf/printshop.py: a print-shop PDF made from the standard leaflet's PDF looks, within the trim
and the bleed, exactly as WeasyPrint's own print-shop render of the same leaflet, and passes
every check a print-shop PDF must."""

import io
import json

import pikepdf
import pypdfium2
import pytest
from PIL import ImageChops

from helpers import build, make_project, shipped_leaflet, ROOT
from leafpub.config import load_settings
from leafpub.model import Pdf
from leafpub.pdf import textgate, validate
from leafpub.pdf.printshop import derive_print_pdf
from leafpub.plan import incremental
from leafpub.variants import BLEED_MM, SLUG_MM

#: Print resolution: what a print shop's RIP rasterises a leaflet at.
DPI = 300


def derived(locale: str, paper: str, source: str = "standard", reserved: bool = False) -> bytes:
    standard, _ = shipped_leaflet(locale, source, paper, reserved)
    profile = load_settings(ROOT).print_profile.path.read_bytes()
    return derive_print_pdf(Pdf(standard, len(pikepdf.open(io.BytesIO(standard)).pages)), profile).data


def pages_within_the_bleed(data: bytes) -> list:
    """Each page rendered by PDFium at print resolution, cut to its bleed box (the slug, where
    the crop marks are, left out: WeasyPrint and this module draw their marks differently)."""
    document = pypdfium2.PdfDocument(data)
    margin = round((SLUG_MM - BLEED_MM) / 25.4 * DPI)
    images = []
    for index in range(len(document)):
        image = document[index].render(scale=DPI / 72, may_draw_forms=False).to_pil().convert("RGB")
        images.append(image.crop((margin, margin, image.width - margin, image.height - margin)))
    return images


def boxes(data: bytes) -> list[dict]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [{name: [round(float(value), 2) for value in page.obj[name]]
                 for name in ("/MediaBox", "/TrimBox", "/BleedBox")} for page in pdf.pages]


@pytest.mark.slow
@pytest.mark.parametrize("locale", ["en", "ar", "zh_Hans"])
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_a_derived_print_file_renders_as_weasyprints_print_render(locale, paper):
    """Tolerance: none. Every pixel within the trim and the bleed, at 300 dpi, is the same."""
    rendered, _ = shipped_leaflet(locale, "print", paper)
    made = derived(locale, paper)
    assert boxes(made) == boxes(rendered)
    for number, (theirs, ours) in enumerate(zip(pages_within_the_bleed(rendered), pages_within_the_bleed(made)), 1):
        difference = ImageChops.difference(theirs, ours).getbbox()
        assert difference is None, f"page {number} differs within {difference} (pixels at {DPI} dpi)"


@pytest.mark.slow
@pytest.mark.parametrize("locale", ["es", "zh_Hans"])
def test_a_print_shop_packs_leaflet_made_from_the_standard_packs_renders_as_weasyprints(locale):
    """A pack's leaflet, its contact box left empty: the same tolerance (none)."""
    rendered, _ = shipped_leaflet(locale, "print", "A4", reserved=True)
    made = derived(locale, "A4", "pack-part", reserved=True)
    assert boxes(made) == boxes(rendered)
    for number, (theirs, ours) in enumerate(zip(pages_within_the_bleed(rendered), pages_within_the_bleed(made)), 1):
        assert ImageChops.difference(theirs, ours).getbbox() is None, f"page {number} differs"


@pytest.mark.slow
@pytest.mark.parametrize("locale", ["en", "ar", "zh_Hans"])
def test_a_derived_print_file_passes_the_checks_and_says_it_is_pdf_x(locale):
    standard, texts = shipped_leaflet(locale)
    made = derived(locale, "A4")
    assert validate.validate_pdf(made) == []  # qpdf's check, Ghostscript, fonts embedded, the object scan
    assert textgate.mismatches(made, texts, rtl=locale == "ar") == []
    with pikepdf.open(io.BytesIO(made)) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and intent.DestOutputProfile.N == 4
        assert str(intent.OutputConditionIdentifier) == "Artifex CMYK SWOP Profile"
        assert pdf.docinfo.Trapped == "/False"
        assert "/StructTreeRoot" not in pdf.Root  # a print-shop file claims no PDF/UA
        metadata = pdf.open_metadata()
        assert metadata["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert metadata["dc:title"] == str(pdf.docinfo.Title)
        assert "pdfuaid:part" not in metadata
    assert derived(locale, "A4") == made  # the same input gives the same bytes


@pytest.mark.slow
def test_a_print_file_whose_standard_leaflet_is_cached_is_made_from_it(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    first = build(project)
    entry = next(entry for entry in first.manifest["leaflets"] if entry["variant"] == "print")
    path = project / "output" / entry["path"]
    before = path.read_bytes()
    (project / "output" / ".cache" / f"{incremental.document_key(entry['inputs'])}.pdf").unlink()
    again = build(project)
    assert [rendered for rendered, _ in again.rendered] == [entry["path"]]
    assert path.read_bytes() == before
    assert json.loads((project / "output" / "manifest.json").read_text())["leaflets"] == first.manifest["leaflets"]


@pytest.mark.slow
def test_the_same_standard_pdf_gives_the_same_print_file_whatever_the_process_saved_before():
    """qpdf's deflate level is a setting of the whole process: a worker that saved a pack first
    must not deflate the print file's colour profile otherwise."""
    first = derived("es", "A4")
    pikepdf.settings.set_flate_compression_level(1)
    try:
        assert derived("es", "A4") == first
    finally:
        pikepdf.settings.set_flate_compression_level(-1)
