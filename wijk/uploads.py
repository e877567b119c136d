"""Over-size uploads lose no typed text.

With MAX_CONTENT_LENGTH applied to the whole request, a picture that is too large made
Werkzeug refuse the request before reading it: a bare 413, and the title and description
the person typed were gone. Here a multipart form is read up to UPLOAD_READ_LIMIT; a file
part keeps at most MAX_CONTENT_LENGTH + 1 bytes and drops the rest while it streams in,
so the text fields arrive, the picture check says the file is too large, and the form is
shown again with everything typed. Other requests keep MAX_CONTENT_LENGTH as it is."""

from __future__ import annotations

import tempfile
from typing import IO

from flask import Request, current_app

_SPOOL_BYTES = 512 * 1024  # kept in memory below this, in a temporary file above


class CappedUpload(tempfile.SpooledTemporaryFile):
    """A file part that stores at most `limit` bytes; `overflowed` tells it was cut."""

    def __init__(self, limit: int) -> None:
        super().__init__(max_size=_SPOOL_BYTES, mode="w+b")
        self.limit = limit
        self.stored = 0
        self.overflowed = False

    def write(self, data) -> int:
        room = max(self.limit - self.stored, 0)
        if len(data) > room:
            self.overflowed = True
        kept = bytes(data[:room])
        self.stored += len(kept)
        if kept:
            super().write(kept)
        return len(data)


class UploadRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if (
            self._max_content_length is None
            and limit is not None
            and current_app
            and self.mimetype == "multipart/form-data"
        ):
            return max(limit, current_app.config.get("UPLOAD_READ_LIMIT") or limit)
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        file_limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if file_limit is None:
            return super()._get_file_stream(
                total_content_length, content_type, filename, content_length
            )
        return CappedUpload(file_limit + 1)
