"""Respondent pages padded to one fixed size, so a page's length tells nothing about the person.

A result page for the lowest band is shorter than one for a higher band, and a question
page carries earlier answers in hidden fields, so without this its length would show
what was skipped. Anyone who sees lengths (an access log, or someone on the same Wi-Fi
reading TLS record sizes) could read a band off the wire.

So every page under `/s/` (welcome, questions, result, and every error a respondent can
reach) leaves the app at exactly one size per encoding. Compression would undo padding
added before it (spaces compress away, and compressed length varies with the content),
so these pages are compressed here, not by Flask-Compress: gzip for any client that
accepts it, and plain HTML padded with trailing spaces for a client that accepts no gzip.
`Content-Length` is then the same for every band, skip pattern and answer.

The gzip padding comes after the page: the page is deflated (not yet final), and a last
stored, uncompressed deflate block (RFC 1951, 3.2.4) of spaces fills the stream to its
size. Every decoder reads one ordinary deflate stream, the page decodes with trailing
spaces after `</html>` (as the plain one does), and a phone on a slow link gets the
page's own bytes first and can paint before the padding has arrived. (Padding in the gzip
header's comment field, as before, made every page wait behind up to 2 KB of spaces.)

The sizes are large enough for every page of the bundled questionnaire, every band and
skip pattern, the demo's signposting, and a free-text answer of the full 500 characters,
with room to spare. A page that outgrows them (a much longer questionnaire, or dozens of
local support routes) is padded to the next multiple instead: still one size for all who
see that page, unless some patterns cross the line, which `tests/respond/test_padding.py`
checks for the bundled questionnaire.
"""

from __future__ import annotations

import struct
import zlib

from flask import Flask, Response, request

# Bytes on the wire for the body of every respondent page, its inline stylesheet included
# (survey/page_style.py, about 1.9 KB gzipped). Without free text the largest bundled page
# is 4,424 B gzipped and 12,437 B plain; the check page carrying 500 random characters from
# outside the BMP (the hardest text to compress) is 5,520 B and 14,987 B.
GZIP_SIZE = 6 * 1024
PLAIN_SIZE = 16 * 1024
GZIP_LEVEL = 6
_GZIP_OVERHEAD = 10 + 5 + 8  # header, the stored block's header, CRC32 and length
_STORED_MAX = 0xFFFF  # the most bytes one stored block holds


def is_respondent_path(path: str) -> bool:
    """Whether a path belongs to the respondent's pages (a survey link, or anything under /s/)."""
    return path == "/s" or path.startswith("/s/")


def _size_for(length: int, size: int) -> int:
    """The fixed size, or the smallest multiple of it that holds `length` bytes."""
    return max(1, -(-length // size)) * size


def gzip_padded(body: bytes, size: int = GZIP_SIZE) -> bytes:
    """`body` gzipped into exactly `size` bytes (or a multiple), padded with spaces at the end."""
    deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    # A sync flush ends the page's blocks, none of them final, on a byte boundary.
    stream = deflate.compress(body) + deflate.flush(zlib.Z_SYNC_FLUSH)
    total = _size_for(len(stream) + _GZIP_OVERHEAD, size)
    spaces = total - len(stream) - _GZIP_OVERHEAD
    if spaces > _STORED_MAX:
        raise ValueError(f"padding sizes above {_STORED_MAX} bytes need more than one block")
    # The final block: BFINAL=1, BTYPE=00 (stored) in the low bits of one byte, then
    # LEN and its ones' complement, then the bytes themselves.
    stored = b"\x01" + struct.pack("<HH", spaces, spaces ^ 0xFFFF) + b" " * spaces
    decoded = body + b" " * spaces
    # ID1 ID2, deflate, FLG=0, MTIME=0 (no time), XFL=0, OS=255 (unknown).
    header = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x00\xff"
    trailer = struct.pack("<II", zlib.crc32(decoded), len(decoded) & 0xFFFFFFFF)
    return header + stream + stored + trailer


def plain_padded(body: bytes, size: int = PLAIN_SIZE) -> bytes:
    """`body` with trailing spaces (after `</html>`, which browsers ignore) to a fixed size."""
    total = _size_for(len(body) + 1, size)
    return body + b"\n" + b" " * (total - len(body) - 1)


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _pad(response: Response) -> Response:
    """Encode and pad a respondent page to its fixed size; leave every other response alone."""
    if not is_respondent_path(request.path) or response.mimetype != "text/html":
        return response
    if 300 <= response.status_code < 400:
        # A redirect carries only its address (a page number, never an answer): no body.
        response.set_data(b"")
        return response
    if response.is_streamed or "Content-Encoding" in response.headers:
        return response  # nothing under /s/ streams or is encoded elsewhere
    body = response.get_data()
    if _accepts_gzip():
        response.set_data(gzip_padded(body))
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(plain_padded(body))
    response.vary.add("Accept-Encoding")
    return response


def init_app(app: Flask) -> None:
    """Pad respondent pages after every other hook has shaped them."""
    # after_request hooks run in reverse order of registration: registered first, this
    # runs last, after the security headers and anything else that touches the body.
    app.after_request_funcs.setdefault(None, []).insert(0, _pad)
