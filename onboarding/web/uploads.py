from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadhandler import FileUploadHandler


class UploadRefused(SuspiciousOperation):
    """No form of the app takes a file: a request carrying one is refused (400)."""


class RefuseUploadsHandler(FileUploadHandler):
    """The only upload handler: stops at the first file part, before its data is read."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        raise UploadRefused("a file was sent where no field takes one")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        return None

    def file_complete(self, file_size: int) -> None:
        return None
