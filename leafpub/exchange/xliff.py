"""A catalog <-> XLIFF 1.2 for translation agencies' tools (Trados, memoQ, OmegaT, Phrase): every message
with its notes, state and locations, placeholders and bold / italic marks as inline codes a CAT tool
protects; and an XLIFF file -> the targets it holds, read back with Translate Toolkit.

The file follows the gettext profile Translate Toolkit's po2xliff writes (and its xliff2po reads):
`approved="yes"` for a finished translation, `needs-review-translation` for a fuzzy one, plural
forms as a `x-gettext-plurals` group, `po-reference` locations. Translate Toolkit writes XLIFF 1.1 and
keeps inline codes out of gettext files, so the document is built here with lxml's element API.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message
from lxml import etree

from ..catalogs.checks import PLACEHOLDER
from ..markup import STAND_IN, parse_inline
from ..catalogs.pofiles import forms_of as forms

NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TEXTS = {"source", "target", "note", "context"}  # never indented: their white space is the text's
MARKS = {"strong_open": ("bpt", "bold"), "strong_close": ("ept", "bold"),
         "em_open": ("bpt", "italic"), "em_close": ("ept", "italic")}


@dataclass(frozen=True)
class Target:
    """One unit read back from an XLIFF file."""

    unit: str  #: the unit's id (a plural group's id for a plural message)
    line: int  #: its line in the XLIFF file
    source: tuple[str, ...]  #: the English, one text per plural form
    target: tuple[str, ...]  #: the translation as the file has it, inline codes turned back into text
    fuzzy: bool  #: not approved, or a needs-* state


def unit_id(message: Message) -> str:
    """A short id that stays the same while the message's English (and context) does."""
    key = (message.context or "") + "\x04" + "\x00".join(forms(message.id))
    return "m" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def export_xliff(catalog: Catalog, original: str, source_tag: str, target_tag: str, signed_off: bool,
                 export_id: str) -> bytes:
    """The catalog as one XLIFF 1.2 document; `signed_off`: a qualified reviewer approved it as it is;
    `export_id`: the project's record of this export, as the job-id of the header's export phase."""
    root = etree.Element(f"{{{NAMESPACE}}}xliff", nsmap={None: NAMESPACE}, version="1.2")
    file = etree.SubElement(root, q("file"), {"original": original, "source-language": source_tag,
                                              "target-language": target_tag, "datatype": "po"})
    header = etree.SubElement(file, q("header"))
    phases = etree.SubElement(header, q("phase-group"))  # XLIFF 1.2's record of a step the file went through
    etree.SubElement(phases, q("phase"), {"phase-name": "export", "process-name": "export", "tool-id": "leafpub",
                                          "job-id": export_id})
    etree.SubElement(header, q("tool"), {"tool-id": "leafpub", "tool-name": "pipeline.py export"})
    notice = " ".join(line.lstrip("# ").strip() for line in (catalog.header_comment or "").splitlines())
    if notice.strip():
        etree.SubElement(header, q("note")).text = notice.strip()
    body = etree.SubElement(file, q("body"))
    # The catalog's headers, locked: gettext tools (xliff2po) take the language and plural rule from them.
    headers = "".join(f"{name}: {value}\n" for name, value in catalog.mime_headers)
    unit = etree.SubElement(body, q("trans-unit"), {"id": "header", "restype": "x-gettext-domain-header",
                                                    "translate": "no", "approved": "yes", XML_SPACE: "preserve"})
    etree.SubElement(unit, q("source")).text = headers
    etree.SubElement(unit, q("target"), state="final").text = headers
    # gettext's plural group has a unit per form, and at least two (the English has two forms).
    plurals = max(catalog.num_plurals, 2)
    for message in list(catalog)[1:]:  # obsolete (#~) messages are not in it: nothing to translate
        add_message(body, message, plurals, signed_off)
    indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def add_message(body, message: Message, plurals: int, signed_off: bool) -> None:
    ident = unit_id(message)
    translated = all(forms(message.string)) and any(forms(message.string))
    approved = {"approved": "yes" if translated and not message.fuzzy else "no"}
    if isinstance(message.id, (tuple, list)):
        holder = etree.SubElement(body, q("group"), {"id": ident, "restype": "x-gettext-plurals", **approved})
        add_notes(holder, message)
        strings = list(forms(message.string)) + [""] * plurals
        for index in range(plurals):
            source = message.id[0] if index == 0 else message.id[1]
            add_unit(holder, f"{ident}[{index}]", source, strings[index] if translated else "",
                     message, approved, signed_off)
        return
    unit = add_unit(body, ident, message.id, message.string if translated else "", message, approved, signed_off)
    add_notes(unit, message)


def add_unit(parent, ident: str, source: str, target: str, message: Message, approved: dict, signed_off: bool):
    unit = etree.SubElement(parent, q("trans-unit"), {"id": ident, **approved, XML_SPACE: "preserve"})
    codes = inline(etree.SubElement(unit, q("source")), source)
    if target:
        state = ("needs-review-translation" if message.fuzzy else "signed-off" if signed_off else "translated")
        inline(etree.SubElement(unit, q("target"), state=state), target, codes)
    previous = forms(message.previous_id)[0] if message.fuzzy and message.previous_id else ""
    if previous and target and previous != source:
        # What the English said when this was translated, as po2xliff gives it: a CAT tool shows the change.
        alternative = etree.SubElement(unit, q("alt-trans"), origin="previous")
        inline(etree.SubElement(alternative, q("source")), previous)
        inline(etree.SubElement(alternative, q("target")), target)
    return unit


def add_notes(element, message: Message) -> None:
    """Comments as notes (the English ones are the leaflet and section the text is in), then locations."""
    for comment in message.auto_comments:
        etree.SubElement(element, q("note"), {"from": "developer"}).text = comment
    for comment in message.user_comments:
        etree.SubElement(element, q("note"), {"from": "translator"}).text = comment
    for filename, line in message.locations:
        group = etree.SubElement(element, q("context-group"), name="po-reference", purpose="location")
        etree.SubElement(group, q("context"), {"context-type": "sourcefile"}).text = filename
        if line:
            etree.SubElement(group, q("context"), {"context-type": "linenumber"}).text = str(line)


def indent(element, level: int = 0) -> None:
    """Line up the structure for a human reader; never inside a text (its spaces are the message's)."""
    if etree.QName(element).localname in TEXTS or not len(element):
        return
    element.text = "\n" + "  " * (level + 1)
    for child in element:
        indent(child, level + 1)
        child.tail = "\n" + "  " * (level + 1)
    element[-1].tail = "\n" + "  " * level


def inline(element, text: str, codes: dict | None = None) -> dict:
    """Fill `element` with the text, its placeholders as <ph> and its bold / italic marks as
    <bpt>/<ept> pairs; a target reuses the source's ids (`codes`) for the same codes."""
    codes = {} if codes is None else codes
    fresh = iter(range(len(codes) + 1, 10_000))
    seen: dict[tuple, int] = {}
    open_pairs: list[str] = []
    last = None
    for kind, content, ctype in segments(text):
        if kind == "text":
            if last is None:
                element.text = (element.text or "") + content
            else:
                last.tail = (last.tail or "") + content
            continue
        if kind == "ept":  # closes the pair its <bpt> opened, with the same id
            ident = open_pairs.pop() if open_pairs else str(next(fresh))
        else:  # the n-th %(date)s or bold of the target has the id of the n-th in the source
            occurrence = seen.get((kind, ctype, content), 0)
            seen[(kind, ctype, content)] = occurrence + 1
            key = (kind, ctype, content, occurrence)
            if element.tag == q("source"):
                codes[key] = str(next(fresh))
            ident = codes.get(key) or str(next(fresh))
            if kind == "bpt":
                open_pairs.append(ident)
        last = etree.SubElement(element, q(kind), id=ident, **({"ctype": ctype} if ctype and kind != "ept" else {}))
        last.text = content
    return codes


def segments(text: str) -> list[tuple[str, str, str]]:
    """(kind, text, ctype) runs: "text", "ph" (a %(name)s placeholder) or "bpt" / "ept" (a mark)."""
    runs = []
    for token in marked_runs(text):
        if token[0] != "text":
            runs.append(token)
            continue
        position = 0
        for found in PLACEHOLDER.finditer(token[1]):
            runs += [("text", token[1][position:found.start()], ""), ("ph", found[0], "x-python-format")]
            position = found.end()
        runs.append(("text", token[1][position:], ""))
    return [run for run in runs if run[1]]


def marked_runs(text: str) -> list[tuple[str, str, str]]:
    """The text split at the bold and italic marks the leaflet format reads; all text when the
    parser's tokens do not give the text back exactly (escapes, say)."""
    runs = []
    for token in parse_inline(text):
        if token.type in MARKS:
            kind, ctype = MARKS[token.type]
            runs.append((kind, token.markup, ctype))
        elif token.type == "text":
            runs.append(("text", token.content.replace(STAND_IN, "_"), ""))
        elif token.type == "softbreak":
            runs.append(("text", "\n", ""))
        else:
            return [("text", text, "")]
    return runs if "".join(run[1] for run in runs) == text else [("text", text, "")]


def q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


# -- reading targets back ---------------------------------------------------------

def read_targets(root) -> list[Target]:
    """An XLIFF document (1.1 or 1.2, parsed safely, one <file>) -> its units as Translate Toolkit
    reads them (plural groups, inline codes as their text)."""
    from translate.storage import poxliff  # Translate Toolkit: only the commands that read XLIFF

    store = poxliff.PoXliffFile()
    store.parse(etree.tostring(root))
    targets = []
    offset = (root.sourceline or 1) - 1  # the copy starts at the root: the lines above it (<?xml ...?>) are not in it
    for unit in store.units:
        if unit.isheader():
            continue
        element = unit.xmlelement
        source = tuple(str(text) for text in forms_of_store(unit.source))
        target = tuple(str(text) for text in forms_of_store(unit.target))
        targets.append(Target(element.get("id") or "", (element.sourceline or 0) + offset, source, target,
                              is_fuzzy(element)))
    return targets


def export_id_of(root) -> tuple[str | None, int | None]:
    """The job-id of the export phase in the file's header (what `export` wrote there), and its line."""
    for phase in root.iterfind(f"{{{NAMESPACE}}}file/{{{NAMESPACE}}}header/{{{NAMESPACE}}}phase-group/"
                               f"{{{NAMESPACE}}}phase"):
        if phase.get("tool-id") == "leafpub" and phase.get("phase-name") == "export":
            return phase.get("job-id"), phase.sourceline
    return None, root.sourceline


def is_fuzzy(element) -> bool:
    """A target to be checked again: a needs-* or new state; with no state, approved="no". CAT tools
    that drop the approved attribute keep the state, which says more."""
    states = [target.get("state", "") for target in
              element.findall("{*}target") or element.findall("{*}trans-unit/{*}target")]
    if any(states):
        return any(state.startswith("needs-") or state == "new" for state in states)
    return element.get("approved") == "no"


def forms_of_store(text) -> list[str]:
    """A Translate Toolkit string (a multistring for plural forms) -> its forms."""
    if text is None:
        return [""]
    return list(getattr(text, "strings", None) or [text])
