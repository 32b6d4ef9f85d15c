"""Untrusted XML bytes (a glossary, an agency's XLIFF file) -> an lxml element tree, or a problem at its line."""

from __future__ import annotations

import re

from lxml import etree

from .problems import Problem, ProblemError

INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[")


def parse_xml(data: bytes, display: str, external_dtd: bool = False):
    """No DTD loaded, no entity expanded, nothing fetched from the network; a document that declares
    its own entities or elements (an internal DTD subset) is refused, as neither format needs one.
    With `external_dtd` (TBX), a DOCTYPE that only names a DTD, as Weblate's TBX files do, is read
    without it; otherwise (XLIFF 1.2, defined by a schema) any DOCTYPE is refused. An entity only a
    DTD could define (&name;) is refused either way: it would be read as nothing."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno if isinstance(error.lineno, int) and error.lineno > 0 else None
        reason = (error.msg or "unreadable").splitlines()[0].strip()[:200]
        raise ProblemError([Problem(display, line, f"not well-formed XML: {reason}")]) from None
    if declares_anything(root.getroottree().docinfo, data):
        raise ProblemError([Problem(display, doctype_line(data), "a DOCTYPE with its own declarations (entities) "
                                                                 "is not allowed here: remove it")])
    if root.getroottree().docinfo.doctype and not external_dtd:
        raise ProblemError([Problem(display, doctype_line(data), "a DOCTYPE is not allowed in this file (XLIFF 1.2 "
                                                                 "has none): remove the <!DOCTYPE ...> line")])
    entity = next(root.iter(etree.Entity), None)
    if entity is not None:
        raise ProblemError([Problem(display, entity.sourceline, f"the entity {entity.text[:40]} is not defined in "
                                                                "the file: write the character itself")])
    return root


def doctype_line(data: bytes) -> int:
    """The DOCTYPE's line, counted in the bytes (1 when they are not ASCII-compatible, as in UTF-16)."""
    return data[:data.find(b"<!DOCTYPE")].count(b"\n") + 1 if b"<!DOCTYPE" in data else 1


def declares_anything(docinfo, data: bytes) -> bool:
    """An internal subset: seen in the bytes (any ASCII-compatible encoding) or, in UTF-16, by what it declares."""
    if not docinfo.doctype:
        return False
    declared = docinfo.internalDTD
    return bool(INTERNAL_SUBSET.search(data)) or (declared is not None and (
        any(True for _ in declared.iterentities()) or any(True for _ in declared.iterelements())))


def local_name(element) -> str:
    """The tag without its namespace: TBX v2 has none, v3 and XLIFF have theirs."""
    return etree.QName(element).localname
