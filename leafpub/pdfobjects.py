"""A pypdf object -> a new indirect object of a PdfWriter, through pypdf's public `clone`.

pypdf 7 has no public call that adds an object and returns its reference; `clone` registers an
object whose `indirect_reference` is None as a new object of the writer it is cloned into, and
gives the same file as the private call pypdf's own code makes (tests/test_packs.py).
"""

from __future__ import annotations


def add_object(writer, obj):
    """Add `obj` to `writer` as an indirect object; return the reference to it."""
    obj.indirect_reference = None
    return obj.clone(writer).indirect_reference
