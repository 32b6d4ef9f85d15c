"""A pypdf object -> a new indirect object of a PdfWriter.

pypdf 7 has no public call that adds an object to a writer and returns its reference; its own
code uses the private `PdfWriter._add_object`. The public fallback clones a direct object
into the writer: `clone` registers an object whose `indirect_reference` is None as a new
object, which is what `_add_object` does; tests/test_internals.py checks both give the same
file.
"""

from __future__ import annotations

from . import active, register

ADD_OBJECT = register(
    "pypdf-add-object", relies_on="pypdf.PdfWriter._add_object",
    checked={"pypdf": "7.1.0"},
    gain="none in speed: the call pypdf's own code makes, kept for as long as it is checked",
    without="objects are added through the public PdfObject.clone")


def add_object(writer, obj):
    """Add `obj` to `writer` as an indirect object; return the reference to it."""
    if active(ADD_OBJECT):
        return writer._add_object(obj)
    obj.indirect_reference = None
    return obj.clone(writer).indirect_reference
