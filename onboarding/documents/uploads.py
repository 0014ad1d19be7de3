"""The one upload handler that takes a file: the documents' upload view sets it for its own
request (every other request keeps `web.uploads.RefuseUploadsHandler`).

The file is held in memory, never written to a temporary file in clear; past
`DOCUMENT_MAX_BYTES` the rest is dropped, so that `files.file_accept` refuses it as too large
without the whole of it being kept.
"""

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler


class DocumentUploadHandler(MemoryFileUploadHandler):
    received = 0

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        self.activated = True

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = max(0, settings.DOCUMENT_MAX_BYTES + 1 - self.received)
        self.received += len(raw_data)
        self.file.write(raw_data[:room])
        return None
