"""A leaflet in a language + the site's public address -> where its web version is online, and the
QR code (vector SVG) that opens it from paper."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

#: The printed QR code's side, quiet zone included (leaflet.css sets it). A phone at arm's
#: length (50 cm) sees a page at about 76 dots per inch in a 1080p frame; at that, and blurred
#: as a hand-held camera blurs, a 40 mm code of a leaflet's address still reads (tests/test_online.py).
QR_SIDE_MM = 40
#: A web version's paper and variant in the manifest's keys of a leaflet's documents.
WEB_PAPER, WEB_VARIANT = "", "web"
#: What a site address may hold: an http(s) URL's characters, without quotes, spaces,
#: brackets or backslashes that could end an attribute or a string.
ADDRESS_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#%+@=,;!$&*]+")
#: The bytes a QR code holds at most: version 40, error correction M (ISO/IEC 18004, table 7).
QR_CAPACITY = 2331
#: The longest site-url whose every web version's address fits one: after it comes a path
#: of the longest slug (64 characters) and a 32-character locale.
MAX_SITE_URL = QR_CAPACITY - len(f"leaflets/{'s' * 64}/{'s' * 64}.{'l' * 32}.html")


def web_path(slug: str, locale: str) -> str:
    """A leaflet's web version in one language, within output/."""
    return f"leaflets/{slug}/{web_file_name(slug, locale)}"


def web_file_name(slug: str, locale: str) -> str:
    """Its file name: beside the leaflet's PDFs, its other languages and its page."""
    return f"{slug}.{locale}.html"


def leaflet_page_path(slug: str) -> str:
    """A leaflet's page on the download site, within output/: every language and format."""
    return f"leaflets/{slug}/index.html"


def web_address(site_url: str, slug: str, locale: str) -> str:
    """The public address of a leaflet's web version: `site_url` is where output/ is served."""
    return site_url + web_path(slug, locale)


def address_parts(address: str) -> list[str]:
    """An address cut after each slash: where a printed address may break onto the next line."""
    return re.findall(r"[^/]*/|[^/]+$", address)


def site_url_problem(value) -> str | None:
    """Why a site-url cannot be printed on a leaflet, or None: it must be the http(s) address
    of a folder on a named host, with nothing a reader would stumble on (a password, a
    port that cannot be, "..", even %-escaped as a browser reads it, a broken %-escape), short
    enough that every leaflet's address in it fits a QR code."""
    if not isinstance(value, str) or not ADDRESS_CHARACTERS.fullmatch(value):
        return "must be an address like \"https://leaflets.example.org/\", without spaces or quotes"
    if len(value) > MAX_SITE_URL:
        return (f"is {len(value)} characters long: with a leaflet's path after it, the address would not fit "
                f"a QR code; at most {MAX_SITE_URL} characters")
    parts = urlsplit(value)
    try:
        port_ok = parts.port is None or 0 < parts.port
    except ValueError:
        port_ok = False
    if (parts.scheme not in ("https", "http") or not parts.hostname or parts.username is not None
            or not port_ok or parts.query or parts.fragment or re.search(r"%(?![0-9A-Fa-f]{2})", value)
            or {".", ".."} & set(unquote(parts.path).split("/"))):
        return ("must be the https:// (or http://) address of the folder output/ is served from, on a named "
                f"host, with no password, query or fragment (got {value!r})")
    if not value.endswith("/"):
        return f"must end with \"/\": it is the folder output/ is served from (got {value!r})"
    return None


def is_example(site_url: str) -> bool:
    """Whether the address is an example one (RFC 2606), not yet a real site's."""
    host = urlsplit(site_url).hostname or ""
    return host == "example" or host.endswith((".example", ".invalid", ".test")) or any(
        host == name or host.endswith("." + name) for name in ("example.org", "example.com", "example.net"))


def qr_code(address: str) -> Markup:
    """A QR code of `address` as an SVG data: URL, drawn as vector paths (sharp at any size),
    with the four-module quiet zone the standard asks for. Error correction M (15 %) takes
    smudges and folds; the stylesheet sizes it (QR_SIDE_MM)."""
    import segno

    code = segno.make_qr(address, error="m", boost_error=False)
    return Markup(code.svg_data_uri(border=4, omitsize=True, xmldecl=False))
