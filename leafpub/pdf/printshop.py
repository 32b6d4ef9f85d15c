"""A standard leaflet's PDF (bytes) -> its print-shop PDF/X-4: the same pages on a sheet with
3 mm bleed and crop marks, the brand band running into the bleed, the CMYK output intent and
the PDF/X metadata.

The print-shop file has the same text layout as the standard one (the same lines on the same
pages: the band is drawn in the margin and takes no space), so it is made from the standard
PDF instead of being laid out a second time by WeasyPrint. Only public pikepdf is used. What
the pages look like is compared with WeasyPrint's own print render in the tests
(tests/test_printshop.py, with PDFium).
"""

from __future__ import annotations

import hashlib
import io
from xml.sax.saxutils import escape

from .. import pdfsave
from ..model import Pdf
from ..variants import BLEED_MM, SLUG_MM

POINTS_PER_MM = 72 / 25.4
#: The brand band along the top of each page (templates/leaflet.css `.bleed-band`): 9 mm high
#: from the bleed's edge, so 6 mm of it on the trimmed page; the brand's blue, as WeasyPrint
#: draws it in the rendered variant (an RGB fill).
BAND_MM = 9
BAND_RGB = (0, 94 / 255, 184 / 255)
#: Crop marks: from 10 mm to 5 mm outside the trim, along each edge of it, in registration
#: colour (every CMYK separation), as thin as print shops draw them.
MARK_FROM_MM, MARK_TO_MM, MARK_WIDTH_PT = SLUG_MM, 5, 0.25
#: Centre-of-edge registration targets, halfway between the bleed and the sheet's edge.
TARGET_RADIUS_MM = 2


def derive_print_pdf(standard: Pdf, profile: bytes | None, *, page_marks: bool = True) -> Pdf:
    """The print-shop PDF of a standard leaflet. `profile` is the CMYK ICC profile of the output
    intent (the project's pinned print profile); None writes no output intent."""
    import pikepdf

    with pikepdf.open(io.BytesIO(standard.data)) as pdf:
        intent = output_intent(pdf, profile) if profile else None
        for page in pdf.pages:
            to_sheet(pdf, page, page_marks)
        root = pdf.Root
        for key in ("/StructTreeRoot", "/MarkInfo", "/ViewerPreferences", "/OutputIntents"):
            if key in root:
                del root[key]
        if intent is not None:
            root.OutputIntents = pikepdf.Array([intent])
        info = pdf.docinfo
        info.Trapped = pikepdf.Name("/False")
        identifier = hashlib.sha256(standard.data).hexdigest()[:32]
        root.Metadata = pdf.make_stream(xmp_packet(info, identifier), Type=pikepdf.Name.Metadata,
                                        Subtype=pikepdf.Name.XML)
        # pdfsave: at one deflate level whatever this process saved before (the colour
        # profile's stream is deflated here), so the same input gives the same bytes.
        data = pdfsave.pdf_bytes(pdf, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return Pdf(data=data, pages=standard.pages)


def to_sheet(pdf, page, page_marks: bool) -> None:
    """Put one page on its print-shop sheet: the media box grows by the slug on every side
    (the trim box stays the paper), the bleed box is 3 mm outside the trim, and the band and
    the marks are drawn under the page's own content."""
    import pikepdf

    left, bottom, right, top = (float(value) for value in page.obj.get("/TrimBox", page.obj.MediaBox))
    slug, bleed = SLUG_MM * POINTS_PER_MM, BLEED_MM * POINTS_PER_MM
    page.obj.MediaBox = pikepdf.Array([left - slug, bottom - slug, right + slug, top + slug])
    page.obj.TrimBox = pikepdf.Array([left, bottom, right, top])
    page.obj.BleedBox = pikepdf.Array([left - bleed, bottom - bleed, right + bleed, top + bleed])
    for key in ("/StructParents", "/Tabs", "/CropBox", "/ArtBox"):
        if key in page.obj:
            del page.obj[key]
    drawing = band(left - bleed, top - (BAND_MM - BLEED_MM) * POINTS_PER_MM, right + bleed, top + bleed)
    if page_marks:
        drawing += marks(left, bottom, right, top)
    page.contents_add(pdf.make_stream(b"q\n" + drawing + b"Q\n"), prepend=True)


def band(left: float, bottom: float, right: float, top: float) -> bytes:
    red, green, blue = BAND_RGB
    return (f"q {red:.6f} {green:.6f} {blue:.6f} rg {left:.4f} {bottom:.4f} {right - left:.4f} "
            f"{top - bottom:.4f} re f Q\n").encode("ascii")


def marks(left: float, bottom: float, right: float, top: float) -> bytes:
    """Crop marks at the four corners and a registration target at the middle of each edge."""
    near, far = MARK_TO_MM * POINTS_PER_MM, MARK_FROM_MM * POINTS_PER_MM
    lines = []
    for x, outward_x in ((left, -1), (right, 1)):
        for y, outward_y in ((bottom, -1), (top, 1)):
            lines.append(((x + outward_x * near, y), (x + outward_x * far, y)))  # along the horizontal edge
            lines.append(((x, y + outward_y * near), (x, y + outward_y * far)))  # along the vertical edge
    middle = (near + far) / 2
    radius = TARGET_RADIUS_MM * POINTS_PER_MM
    centres = [((left + right) / 2, top + middle), ((left + right) / 2, bottom - middle),
               (left - middle, (bottom + top) / 2), (right + middle, (bottom + top) / 2)]
    for cx, cy in centres:
        lines.append(((cx - radius * 1.5, cy), (cx + radius * 1.5, cy)))
        lines.append(((cx, cy - radius * 1.5), (cx, cy + radius * 1.5)))
    out = [f"q 1 1 1 1 K {MARK_WIDTH_PT} w 0 J"]
    out += [f"{x1:.4f} {y1:.4f} m {x2:.4f} {y2:.4f} l S" for (x1, y1), (x2, y2) in lines]
    for cx, cy in centres:
        out.append(circle(cx, cy, radius) + " S")
    out.append("Q")
    return ("\n".join(out) + "\n").encode("ascii")


def circle(cx: float, cy: float, r: float) -> str:
    """A circle as four Bézier arcs (the usual 0.5523 control-point ratio)."""
    k = 0.5523 * r
    return (f"{cx + r:.4f} {cy:.4f} m "
            f"{cx + r:.4f} {cy + k:.4f} {cx + k:.4f} {cy + r:.4f} {cx:.4f} {cy + r:.4f} c "
            f"{cx - k:.4f} {cy + r:.4f} {cx - r:.4f} {cy + k:.4f} {cx - r:.4f} {cy:.4f} c "
            f"{cx - r:.4f} {cy - k:.4f} {cx - k:.4f} {cy - r:.4f} {cx:.4f} {cy - r:.4f} c "
            f"{cx + k:.4f} {cy - r:.4f} {cx + r:.4f} {cy - k:.4f} {cx + r:.4f} {cy:.4f} c")


def output_intent(pdf, profile: bytes):
    """The PDF/X output intent: the print condition's CMYK profile, named by its description."""
    import pikepdf
    from PIL import ImageCms

    description = profile_name(ImageCms.ImageCmsProfile(io.BytesIO(profile)))
    stream = pdf.make_stream(profile, N=4)
    return pikepdf.Dictionary(Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
                              OutputConditionIdentifier=pikepdf.String(description),
                              Info=pikepdf.String(description), DestOutputProfile=stream)


def profile_name(profile) -> str:
    return profile.profile.model or profile.profile.profile_description or "CMYK"


def xmp_packet(info, identifier: str) -> bytes:
    """PDF/X-4 identification (ISO 15930-7: GTS_PDFXVersion in the XMP, a DocumentID and
    VersionID, RenditionClass, Trapped) with the document's title, author, subject and dates
    from its information dictionary. `identifier`: 32 hexadecimal digits."""
    def text(key: str) -> str:
        return escape(str(info.get(key, "")))

    def date(key: str) -> str:  # D:YYYYMMDD... -> YYYY-MM-DD
        value = str(info.get(key, ""))[2:]
        return f"{value[:4]}-{value[4:6]}-{value[6:8]}" if len(value) >= 8 else ""

    uuid = "-".join((identifier[:8], identifier[8:12], identifier[12:16], identifier[16:20], identifier[20:32]))
    created, modified = date("/CreationDate"), date("/ModDate")
    fields = [
        "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>",
        "<pdf:Trapped>False</pdf:Trapped>",
        f"<pdf:Producer>{text('/Producer')}</pdf:Producer>",
        f"<xmpMM:DocumentID>xmp.did:{uuid}</xmpMM:DocumentID>",
        "<xmpMM:RenditionClass>proof:pdf</xmpMM:RenditionClass>",
        "<xmpMM:VersionID>1</xmpMM:VersionID>",
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text("/Title")}</rdf:li></rdf:Alt></dc:title>',
        f"<dc:creator><rdf:Seq><rdf:li>{text('/Author')}</rdf:li></rdf:Seq></dc:creator>",
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{text("/Subject")}</rdf:li></rdf:Alt></dc:description>',
    ]
    if created:
        fields.append(f"<xmp:CreateDate>{created}</xmp:CreateDate>")
    if modified:
        fields += [f"<xmp:ModifyDate>{modified}</xmp:ModifyDate>", f"<xmp:MetadataDate>{modified}</xmp:MetadataDate>"]
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/" '
            'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
            + "".join(fields) +
            '</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end="r"?>').encode("utf-8")
