"""A tiny real project (tests/data/project) built into a temporary folder, and PDF helpers.

The fixture project is written by hand: a small leaflet of its own, its translation template
and a complete Spanish catalog (the leaflet's messages and the templates' own), and a
deliberately broken French one (tests/data/broken). It uses the real templates, babel.cfg and
pyproject.toml settings, so a change to the templates' messages is a change to the fixture's
catalogs too.
"""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import pipeline
from leafpub.catalogs import catalogs
from leafpub.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

# The fixture leaflet's Spanish; template strings come from the shipped Spanish catalog.
SPANISH = {
    "Washing your hands": "Lavarse las manos",
    "Clean hands stop germs from spreading.": "Las manos limpias evitan que los gérmenes se propaguen.",
    "How to wash your hands": "Cómo lavarse las manos",
    "Use soap and warm water for **20 seconds**.": "Use jabón y agua tibia durante **20 segundos**.",
    "Wet your hands.": "Mójese las manos.",
    "Rub them together with soap.": "Frótelas con jabón.",
    "Rinse and dry them.": "Aclárelas y séquelas.",
    "When to ask for help": "Cuándo pedir ayuda",
    "Ask a nurse if you have a cut on your hands.": "Consulte a una enfermera si tiene un corte en las manos.",
}


# The same leaflet in a language of every other script the pipeline prints (Cyrillic, Arabic,
# Devanagari, Han, Hangul), for the tests that must see each script's PDFs.
OTHER_SCRIPTS = {
    "uk": {
        "Washing your hands": "Миття рук",
        "Clean hands stop germs from spreading.": "Чисті руки зупиняють поширення мікробів.",
        "How to wash your hands": "Як мити руки",
        "Use soap and warm water for **20 seconds**.": "Мийте руки з милом у теплій воді **20 секунд**.",
        "Wet your hands.": "Змочіть руки.",
        "Rub them together with soap.": "Потріть їх з милом.",
        "Rinse and dry them.": "Сполосніть і витріть їх.",
        "When to ask for help": "Коли звернутися по допомогу",
        "Ask a nurse if you have a cut on your hands.": "Зверніться до медсестри, якщо у вас поріз на руках.",
    },
    "ar": {
        "Washing your hands": "غسل اليدين",
        "Clean hands stop germs from spreading.": "اليدان النظيفتان تمنعان انتشار الجراثيم.",
        "How to wash your hands": "كيف تغسل يديك",
        "Use soap and warm water for **20 seconds**.": "استخدم الصابون والماء الدافئ لمدة **20 ثانية**.",
        "Wet your hands.": "بلّل يديك.",
        "Rub them together with soap.": "افركهما معًا بالصابون.",
        "Rinse and dry them.": "اشطفهما وجففهما.",
        "When to ask for help": "متى تطلب المساعدة",
        "Ask a nurse if you have a cut on your hands.": "اسأل الممرضة إذا كان في يديك جرح.",
    },
    "hi": {
        "Washing your hands": "अपने हाथ धोना",
        "Clean hands stop germs from spreading.": "साफ़ हाथ कीटाणुओं को फैलने से रोकते हैं।",
        "How to wash your hands": "अपने हाथ कैसे धोएँ",
        "Use soap and warm water for **20 seconds**.": "साबुन और गुनगुने पानी से **20 सेकंड** तक धोएँ।",
        "Wet your hands.": "अपने हाथ गीले करें।",
        "Rub them together with soap.": "उन्हें साबुन से आपस में रगड़ें।",
        "Rinse and dry them.": "उन्हें धोकर सुखाएँ।",
        "When to ask for help": "मदद कब माँगें",
        "Ask a nurse if you have a cut on your hands.": "अगर आपके हाथों पर कट है तो नर्स से पूछें।",
    },
    "zh_Hans": {
        "Washing your hands": "洗手",
        "Clean hands stop germs from spreading.": "干净的手能阻止细菌传播。",
        "How to wash your hands": "如何洗手",
        "Use soap and warm water for **20 seconds**.": "用肥皂和温水洗 **20 秒**。",
        "Wet your hands.": "弄湿双手。",
        "Rub them together with soap.": "用肥皂搓洗双手。",
        "Rinse and dry them.": "冲洗并擦干双手。",
        "When to ask for help": "何时寻求帮助",
        "Ask a nurse if you have a cut on your hands.": "如果手上有伤口，请咨询护士。",
    },
    "ko": {
        "Washing your hands": "손 씻기",
        "Clean hands stop germs from spreading.": "깨끗한 손은 세균이 퍼지는 것을 막습니다.",
        "How to wash your hands": "손 씻는 방법",
        "Use soap and warm water for **20 seconds**.": "비누와 따뜻한 물로 **20초** 동안 씻으세요.",
        "Wet your hands.": "손을 적시세요.",
        "Rub them together with soap.": "비누로 문지르세요.",
        "Rinse and dry them.": "헹구고 말리세요.",
        "When to ask for help": "도움을 요청할 때",
        "Ask a nurse if you have a cut on your hands.": "손에 상처가 있으면 간호사에게 물어보세요.",
    },
}


def make_project(folder: Path, *, broken_locale: bool = True) -> Path:
    """Copy the fixture project into folder, with the real templates and settings."""
    project = folder / "project"
    shutil.copytree(DATA / "project", project)
    for name in ("pyproject.toml", "babel.cfg"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "templates", project / "templates")
    if broken_locale:
        broken = project / "translations/fr/LC_MESSAGES/messages.po"
        broken.parent.mkdir(parents=True)
        shutil.copy(DATA / "broken" / "messages.po", broken)
    return project


def write_catalog(project: Path, locale: str, translations: dict[str, str]) -> Path:
    """A complete catalog: the given translations, and the shipped ones for template strings."""
    settings = load_settings(project)
    path = catalogs.init_catalog(settings, locale)
    shipped_path = catalogs.catalog_path(load_settings(ROOT), locale)
    shipped = read_po_file(shipped_path) if shipped_path.exists() else None
    catalog = read_po_file(path)
    for message in list(catalog)[1:]:
        key = catalogs.key_of(message.id)
        if key in translations:
            message.string = translations[key]
        elif shipped is not None and shipped.get(message.id) is not None:
            message.string = shipped.get(message.id).string
    catalogs.write_catalog(path, catalog)
    return path


def build(project: Path):
    return pipeline.build(load_settings(project))


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The fixture project, built once for the tests that only read its output."""
    project = make_project(tmp_path_factory.mktemp("built"))
    report = build(project)
    return project, report


def html_page(body: str, lang: str = "en", direction: str = "ltr", family: str = "Noto Sans", head: str = "") -> str:
    """A document for the renderer alone: the leaflet stylesheet, one font family, `body`."""
    return (f'<!DOCTYPE html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            f'<title>Test</title><link rel="stylesheet" href="leaflet.css">{head}</head>'
            f'<body style="font-family: \'{family}\'">{body}</body></html>')


@pytest.fixture(scope="module")
def renderer():
    """A renderer of the project's own settings, shared by a module's tests."""
    from leafpub.pdf.pdf import PdfRenderer

    return PdfRenderer(load_settings(ROOT))


@contextmanager
def counting_server():
    """A web server on 127.0.0.1 that records every request: (its base URL, the paths hit)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()


def pdf_text(path: Path, raw: bool = False) -> str:
    """The text a reader would copy out of the PDF (poppler's pdftotext); `raw` keeps the
    drawing order, which is what rotated text (a watermark) needs."""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *(["-raw"] if raw else []), str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


def plain(text: str) -> str:
    """Text to compare: pdftotext wraps right-to-left runs in bidi controls and drops
    zero-width non-joiners, so both sides lose those and runs of white space."""
    invisible = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                       "\u2066\u2067\u2068\u2069"))
    return " ".join(text.translate(invisible).split())


def pdf_fonts(path: Path) -> list[dict]:
    """pdffonts' table: name, and whether each font is embedded."""
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    fonts = []
    for line in lines:
        fields = line.split()
        # name type... emb sub uni object generation
        fonts.append({"name": fields[0], "embedded": fields[-5] == "yes"})
    return fonts


def read_po_file(path: Path):
    with path.open("rb") as po:
        return read_po(po)


def standard_entries(manifest: dict) -> list[dict]:
    """The manifest's entries for the standard A4 leaflets (one per leaflet and language)."""
    return [e for e in manifest["leaflets"] if e["variant"] == "standard" and e["paper"] == "A4"]


def standard_entry(manifest: dict, locale: str) -> dict:
    return next(e for e in standard_entries(manifest) if e["locale"] == locale)


# The second fixture leaflet (tests/data/elements): every element of the format, in Arabic and Chinese.
ARABIC = {
    "After your skin biopsy": "بعد خزعة الجلد",
    "This leaflet explains how to look after the wound. More advice: <https://example.org/wound-care>":
        "تشرح هذه النشرة كيف تعتني بالجرح. نصائح أخرى: <https://example.org/wound-care>",
    "Before you go home": "قبل أن تعود إلى المنزل",
    "Keep the dressing on.": "أبق الضمادة في مكانها.",
    "Ask when your stitches come out.": "اسأل متى تزال الغرز.",
    "Caring for the wound": "العناية بالجرح",
    "Day": "اليوم", "What to do": "ماذا تفعل", "1": "1", "2": "2", "7": "7",
    "Keep the dressing dry.": "أبق الضمادة جافة.",
    "Take the dressing off.": "انزع الضمادة.",
    "Come back for your stitches.": "عد لإزالة الغرز.",
    "A small wound closed with three stitches, with a dressing over it.": "جرح صغير مغلق بثلاث غرز، وفوقه ضمادة.",
    "The wound after the biopsy": "الجرح بعد الخزعة",
    "Stitches": "الغرز", "Dressing": "الضمادة", "Skin": "الجلد",
    "When to contact us": "متى تتصل بنا",
    "Call the clinic if the wound bleeds.": "اتصل بالعيادة إذا نزف الجرح.",
    "if it is red and hot": "إذا كان أحمر وساخنا",
    "if you have a fever": "إذا أصابتك حمى",
}
CHINESE = {
    "After your skin biopsy": "皮肤活检后",
    "This leaflet explains how to look after the wound. More advice: <https://example.org/wound-care>":
        "本单张说明如何护理伤口。更多建议：<https://example.org/wound-care>",
    "Before you go home": "回家之前",
    "Keep the dressing on.": "保留敷料。",
    "Ask when your stitches come out.": "询问何时拆线。",
    "Caring for the wound": "伤口护理",
    "Day": "天", "What to do": "要做什么", "1": "1", "2": "2", "7": "7",
    "Keep the dressing dry.": "保持敷料干燥。",
    "Take the dressing off.": "取下敷料。",
    "Come back for your stitches.": "回来拆线。",
    "A small wound closed with three stitches, with a dressing over it.": "一个用三针缝合的小伤口，上面盖着敷料。",
    "The wound after the biopsy": "活检后的伤口",
    "Stitches": "缝线", "Dressing": "敷料", "Skin": "皮肤",
    "When to contact us": "何时联系我们",
    "Call the clinic if the wound bleeds.": "如果伤口出血，请致电诊所。",
    "if it is red and hot": "如果伤口发红发热",
    "if you have a fever": "如果您发烧",
}


def make_elements_project(folder: Path) -> Path:
    """The fixture project with only the second leaflet (skin-biopsy, with its figure), in
    English, Arabic and Chinese, and no pack."""
    project = make_project(folder, broken_locale=False)
    (project / "leaflets" / "hand-washing.md").unlink()
    shutil.rmtree(project / "translations" / "es")
    (project / "packs.toml").write_text("", encoding="utf-8")
    shutil.copytree(DATA / "elements" / "leaflets", project / "leaflets", dirs_exist_ok=True)
    settings = load_settings(project)
    catalogs.extract(settings)
    write_catalog(project, "ar", ARABIC)
    write_catalog(project, "zh_Hans", CHINESE)
    return project
