"""A figure's SVG (untrusted, like every source) -> its checked drawing without text, and its labels.

Only drawing elements and presentation attributes are allowed: no script, no foreignObject,
no links or references to anything outside the file (href, xlink:href, url() other than
`url(#id)`), no event attributes, no entities, no processing instructions. Anything else is a
problem at the SVG's line, and nothing of it is used. Each `<text>` is a label: one line of
text with an `id`; it becomes a message, and is printed over the drawing as HTML text in the
reader's language (shaped, ordered and tagged like any other text), never drawn by the SVG.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from lxml import etree

from ..problems import Problem, ProblemError
from ..xmlinput import parse_xml

SVG = "http://www.w3.org/2000/svg"
MAX_FIGURE_BYTES = 512 * 1024
MAX_LABELS = 12
ELEMENTS = frozenset({"svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text",
                      "defs", "linearGradient", "radialGradient", "stop", "marker", "clipPath"})
ATTRIBUTES = frozenset({
    "id", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "width", "height", "d",
    "points", "fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
    "stroke-miterlimit", "opacity", "fill-opacity", "stroke-opacity", "fill-rule", "clip-rule", "clip-path",
    "transform", "viewBox", "version", "preserveAspectRatio", "text-anchor", "font-size", "font-weight",
    "font-family", "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod",
    "marker-start", "marker-mid", "marker-end", "markerWidth", "markerHeight", "refX", "refY", "orient",
    "markerUnits", "clipPathUnits", "dominant-baseline"})
#: url() may only name an element of the same file.
FOREIGN_URL = re.compile(r"url\(\s*(?!['\"]?#)", re.IGNORECASE)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Drawing:
    """What a leaflet needs of a checked SVG."""

    labels: tuple[tuple[str, int, float, float, str], ...]  #: text, SVG line, x %, y %, anchor
    drawing: str  #: data: URL of the SVG without its labels
    width: float
    height: float
    digest: str


def read_figure(data: bytes, display: str) -> Drawing:
    """Check an SVG figure's bytes; raise ProblemError listing every rule it breaks."""
    if len(data) > MAX_FIGURE_BYTES:
        raise ProblemError([Problem(display, None, f"a figure is at most {MAX_FIGURE_BYTES // 1024} KB")])
    if b"<!ENTITY" in data or b"&" in re.sub(rb"&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);", b"", data):
        line = data[:max(data.find(b"<!ENTITY"), data.find(b"&"))].count(b"\n") + 1
        raise ProblemError([Problem(display, line, "a figure may not declare or use entities")])
    root = parse_xml(data, display)
    problems = [Problem(display, line, message) for line, message in rule_breaks(root)]
    width, height = view_box(root, display, problems)
    labels = []
    texts = [element for element in root.iter(f"{{{SVG}}}text")]
    for element in texts:
        label = read_label(element, width, height, display, problems)
        if label:
            labels.append(label)
    if len(texts) > MAX_LABELS:
        problems.append(Problem(display, texts[MAX_LABELS].sourceline, f"a figure has at most {MAX_LABELS} labels"))
    if problems:
        raise ProblemError(problems)
    for element in texts:
        element.getparent().remove(element)
    drawing = etree.tostring(root, encoding="utf-8")
    return Drawing(tuple(labels), "data:image/svg+xml;base64," + base64.b64encode(drawing).decode("ascii"),
                   width, height, hashlib.sha256(data).hexdigest())


def rule_breaks(root) -> list[tuple[int | None, str]]:
    """(line, what is wrong) for each element or attribute the figure may not have."""
    found = []
    if etree.QName(root).localname != "svg" or etree.QName(root).namespace != SVG:
        return [(root.sourceline, "a figure is an SVG file: its root is <svg> in the SVG namespace")]
    for element in root.iter():
        if not isinstance(element.tag, str):
            if isinstance(element, etree._ProcessingInstruction):
                found.append((element.sourceline, "a figure may not contain processing instructions"))
            continue  # comments are dropped from nothing: they are not shown
        name = etree.QName(element)
        if name.namespace != SVG or name.localname not in ELEMENTS:
            found.append((element.sourceline, f"a figure may not contain <{name.localname}>"))
            continue
        for attribute, value in element.attrib.items():
            found += attribute_breaks(element, attribute, value)
    return found


def attribute_breaks(element, attribute: str, value: str) -> list[tuple[int | None, str]]:
    local = etree.QName(attribute).localname
    if etree.QName(attribute).namespace or local not in ATTRIBUTES:
        return [(element.sourceline, f"a figure may not have the attribute {local!r} (links, scripts, "
                                     "styles and events are not allowed)")]
    if FOREIGN_URL.search(value):
        return [(element.sourceline, f"{local!r} refers to something outside the figure; only url(#id) is allowed")]
    return []


def view_box(root, display: str, problems: list[Problem]) -> tuple[float, float]:
    numbers = [float(number) for number in NUMBER.findall(root.get("viewBox", ""))]
    if len(numbers) != 4 or numbers[0] or numbers[1] or numbers[2] <= 0 or numbers[3] <= 0:
        problems.append(Problem(display, root.sourceline, "a figure needs viewBox=\"0 0 WIDTH HEIGHT\""))
        return 1.0, 1.0
    return numbers[2], numbers[3]


def read_label(element, width: float, height: float, display: str, problems: list[Problem]):
    """(text, line, x %, y %, anchor) of one <text>, or None with a problem."""
    text = " ".join((element.text or "").split())
    place = [element.get("x", ""), element.get("y", "")]
    if len(element) or not text or not element.get("id"):
        problems.append(Problem(display, element.sourceline, "a label is a <text> with an id and one line "
                                                             "of text, without <tspan> or other elements"))
        return None
    if not all(NUMBER.fullmatch(value.strip()) for value in place) or element.get("transform"):
        problems.append(Problem(display, element.sourceline, "a label needs x and y as plain numbers, "
                                                             "without a transform"))
        return None
    anchor = element.get("text-anchor", "start")
    if anchor not in ("start", "middle", "end"):
        anchor = "start"
    return (text, element.sourceline, 100 * float(place[0]) / width, 100 * float(place[1]) / height, anchor)
