"""A pack draws each face from one font: the pages look and read exactly as before."""

import io

import pypdfium2
from pypdf import PdfReader, PdfWriter

from leafpub import packfonts, packs
from leafpub.config import load_settings


def leaflets_merged(project) -> PdfWriter:
    writer = PdfWriter()
    for locale in ("en", "es"):
        writer.append(PdfReader(project / f"output/leaflets/hand-washing/hand-washing.{locale}.a4.pdf"))
    return writer


def written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def fonts_by_face(data: bytes) -> dict[str, set]:
    reader = PdfReader(io.BytesIO(data))
    faces: dict[str, set] = {}
    for page in reader.pages:
        for reference in page["/Resources"]["/Font"].get_object().values():
            name = str(reference.get_object()["/BaseFont"]).split("+")[-1]
            faces.setdefault(name, set()).add(reference.idnum)
    return faces


def page_images(data: bytes) -> list[bytes]:
    document = pypdfium2.PdfDocument(data)
    return [page.render(scale=1.5).to_pil().convert("L").tobytes() for page in document]


def page_texts(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_two_leaflets_share_one_font_per_face_and_look_the_same(built):
    project, _ = built
    settings = load_settings(project)
    before = written(leaflets_merged(project))
    assert any(len(fonts) > 1 for fonts in fonts_by_face(before).values())

    writer = leaflets_merged(project)
    packfonts.share_fonts(writer, packfonts.PinnedFaces(tuple(font.path for font in settings.fonts)).get)
    writer.compress_identical_objects(remove_unreferenced=True)
    after = written(writer)

    assert all(len(fonts) == 1 for fonts in fonts_by_face(after).values()), fonts_by_face(after)
    assert fonts_by_face(after).keys() == fonts_by_face(before).keys()
    assert page_images(after) == page_images(before)
    assert page_texts(after) == page_texts(before)
    assert len(packs.compact(after)) < len(packs.compact(before))


def test_a_face_that_is_not_pinned_is_left_as_it_is(built):
    project, _ = built
    before = written(leaflets_merged(project))
    writer = leaflets_merged(project)
    packfonts.share_fonts(writer, {}.get)  # no pinned font known
    assert fonts_by_face(written(writer)) == fonts_by_face(before)


def test_widths_and_text_maps_round_trip():
    widths = {3: 260, 4: 300, 5: 310, 9: 500}
    array = packfonts.widths_array(widths)
    assert [int(item) if not isinstance(item, list) else [int(w) for w in item] for item in array] == \
        [3, [260, 300, 310], 9, [500]]
    assert dict(packfonts.parse_widths(array)) == widths
    cmap = packfonts.to_unicode_cmap({3: b"0020", 81: b"00660069"})
    assert packfonts.parse_to_unicode(cmap) == [(3, b"0020"), (81, b"00660069")]


def test_text_maps_say_a_run_of_letters_in_one_range_within_one_high_byte():
    # a-e at glyphs 0x44-0x48; glyphs 0xfe-0x101 for U+00FE-U+0101 cross a high byte of
    # both, and a ligature ("fi") is two characters: none of those may share a range.
    text = {0x44 + n: b"%04x" % (0x61 + n) for n in range(5)}
    text |= {0xfe: b"00fe", 0xff: b"00ff", 0x100: b"0100", 0x101: b"0101", 0x102: b"00660069"}
    cmap = packfonts.to_unicode_cmap(text)
    assert b"<0044> <0048> <0061>" in cmap
    assert b"<00fe> <00ff> <00fe>" in cmap and b"<0100> <0101> <0100>" in cmap
    assert b"<0102> <00660069>" in cmap
    assert packfonts.parse_to_unicode(cmap) == sorted(text.items())
