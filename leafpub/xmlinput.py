"""Untrusted XML bytes (a glossary, an agency's XLIFF file) -> an lxml element tree, or a problem at its line."""

from __future__ import annotations

from lxml import etree

from .problems import Problem, ProblemError


def parse_xml(data: bytes, display: str):
    """No DTD, no entity expansion, nothing from the network; a document with a DOCTYPE is refused
    outright, as neither format needs one."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno if isinstance(error.lineno, int) and error.lineno > 0 else None
        raise ProblemError([Problem(display, line, f"not well-formed XML: {error.msg}")]) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ProblemError([Problem(display, 1, "a DOCTYPE is not allowed here: remove it")])
    return root


def local_name(element) -> str:
    """The tag without its namespace: TBX v2 has none, v3 and XLIFF have theirs."""
    return etree.QName(element).localname
