"""output/ -> an HTTP server for previewing the download page: published files only, nothing else.

`pipeline.py serve` is for looking at the page before it is copied to a real web server.
It serves plain files of output/ reached without links, and nothing else: no hidden
file or folder (the render cache, the lock, the publication journal), no folder listing,
no path that climbs out (`..`, also percent-encoded), no symbolic link even inside
output/. Everything else is 404, so a request cannot tell what else is on the disk.
"""

from __future__ import annotations

import http.server
import mimetypes
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import sources
from ..problems import ProblemError

MAX_PATH_CHARACTERS = 1024


def published_file(output: Path, url_path: str) -> Path | None:
    """The file of output/ that a request's path names, or None when it names nothing the
    server may show. A folder stands for its index.html."""
    path = unquote(urlsplit(url_path).path, errors="strict")
    if len(path) > MAX_PATH_CHARACTERS or not path.startswith("/"):
        return None
    parts = path[1:].split("/")
    if parts[-1] == "":
        parts[-1] = "index.html"
    for part in parts:
        if part in ("", ".", "..") or part.startswith(".") or "\\" in part or "\0" in part:
            return None
    candidate = output.joinpath(*parts)
    try:
        mode = os.lstat(candidate).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISDIR(mode):
        candidate = candidate / "index.html"
    return candidate if sources.refusal(output, candidate) is None else None


def make_server(output: Path, bind: str, port: int,
                log: Callable[[str], None] | None = None) -> http.server.ThreadingHTTPServer:
    """A server of output/'s published files at bind:port (not yet serving)."""

    class PublishedFiles(http.server.BaseHTTPRequestHandler):
        server_version = "leafpub-preview"
        sys_version = ""

        def do_GET(self) -> None:
            self.respond(body=True)

        def do_HEAD(self) -> None:
            self.respond(body=False)

        def respond(self, body: bool) -> None:
            try:
                path = published_file(output, self.path)
            except UnicodeDecodeError:
                path = None
            if path is not None and path.name == "index.html" and not self.path.split("?")[0].endswith(
                    ("/", "index.html")):
                self.send_response(301)  # a folder without its slash: relative links need it
                self.send_header("Location", self.path.split("?")[0] + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = None
            if path is not None:
                try:
                    data = sources.read(output, path)
                except ProblemError:
                    data = None
            if data is None:
                self.send_error(404, "Not found")
                return
            self.send_response(200)
            self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if body:
                self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:
            if log is not None:
                log(f"{self.address_string()} {format % args}")

    server = PreviewServer((bind, port), PublishedFiles)
    server.log = log
    return server


class PreviewServer(http.server.ThreadingHTTPServer):
    """The threaded server, saying a failed request in one line to `log` (the command line's)."""

    log: Callable[[str], None] | None = None

    def handle_error(self, request, client_address) -> None:
        """Not socketserver's traceback on stderr: a client that hangs up mid-response (a
        browser cancelling a PDF download) is a normal event."""
        error = sys.exc_info()[1]
        if self.log is None:
            return
        if isinstance(error, ConnectionError):  # BrokenPipeError, ConnectionResetError, ...
            self.log(f"{client_address[0]} hung up before the response was complete")
        else:
            self.log(f"{client_address[0]}: the request failed ({type(error).__name__}: {error})")
