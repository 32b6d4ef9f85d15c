"""WeasyPrint's PDF objects (pydyf) -> the same objects with every stream deflated once.

Relies on pydyf's private `_to_bytes` (how `Stream.data` joins a stream's items) and on
pydyf writing a stream that already names its `/Filter` as it is. pydyf deflates a stream
each time the PDF is written, and a PDF with an identifier (PDF/UA, PDF/X) is written
twice: to the file, and again to hash it for the identifier. Deflated here once, exactly as
pydyf would (level 9), the file is the same bytes; a large stream this worker deflated
before (the colour profile of every print PDF, a font subset shared by a leaflet's papers)
is not deflated again.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import OrderedDict

from . import active, register

STREAMS = register(
    "deflate-once", relies_on="pydyf._to_bytes; pydyf writes a stream with a /Filter as it is",
    checked={"pydyf": "0.13.0", "weasyprint": "70.0"},
    gain="each stream of a PDF with an identifier is deflated once instead of twice",
    without="pydyf deflates each stream every time the PDF is written")

_deflated: OrderedDict[bytes, bytes] = OrderedDict()
KEPT = 32  #: large streams a worker keeps deflated
LARGE = 4096  #: bytes; a smaller stream is deflated without looking it up


def deflate_once(pdf) -> None:
    """Deflate every stream of `pdf` (pydyf) now, so that it is written as it is."""
    if not active(STREAMS):
        return
    import pydyf

    for obj in pdf.objects[1:]:
        if not isinstance(obj, pydyf.Stream) or not obj.compress or "Filter" in obj.extra:
            continue
        data = b"\n".join(pydyf._to_bytes(item) for item in obj.stream)  # as Stream.data joins them
        key = hashlib.sha256(data).digest() if len(data) >= LARGE else None
        if key in _deflated:
            _deflated.move_to_end(key)
            deflated = _deflated[key]
        else:
            compressor = zlib.compressobj(level=9)  # as Stream.data deflates
            deflated = compressor.compress(data) + compressor.flush()
            if key:
                _deflated[key] = deflated
                while len(_deflated) > KEPT:
                    _deflated.popitem(last=False)
        obj.stream, obj.compress = [deflated], False
        obj.extra["Filter"] = "/FlateDecode"
