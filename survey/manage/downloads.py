"""CSV files the workspace hands out: UTF-8 with a byte-order mark, as an attachment."""

from __future__ import annotations

from flask import Response


def csv_download(text: str, filename: str) -> Response:
    """The text as a CSV download (the mark makes spreadsheets read it as UTF-8)."""
    response = Response(text.encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
