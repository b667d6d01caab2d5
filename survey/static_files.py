"""Static files: read into memory before compression (caching is SEND_FILE_MAX_AGE_DEFAULT).

Flask-Compress compresses a streamed file response without closing the file it read
from; buffering the (small) static files first lets it compress them like any page,
with gzip too, and the file is closed with the response.
"""

from __future__ import annotations

from flask import Flask, Response, request


def _buffer_static(response: Response) -> Response:
    if request.endpoint == "static" and response.is_streamed and response.status_code == 200:
        response.direct_passthrough = False
        response.make_sequence()  # reads it; the file is closed when the response closes
    return response


def init_app(app: Flask) -> None:
    """Register after Flask-Compress, so this runs before it (after_request runs in reverse)."""
    app.after_request(_buffer_static)
