"""What an uploaded file is, read from its content alone, and the safe copy that is kept.

Accepted: JPEG, PNG, HEIC/HEIF and PDF, within `DOCUMENT_MAX_BYTES`, `DOCUMENT_MAX_PAGES`
and `DOCUMENT_MAX_PIXELS`. The name and the browser's claimed type are never read. Images
are decoded and encoded again (JPEG, or PNG for a PNG), which drops their metadata (GPS,
camera, comments); PDFs with scripts, attachments or encryption are refused. Each page gets
a PNG preview.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass, field
from typing import cast

import pypdf
import pypdfium2
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener
from pypdf.errors import PyPdfError
from pypdf.generic import DictionaryObject

register_heif_opener()

PREVIEW_WIDTH = 1200


class FileRefused(Exception):
    """The upload is not kept; `message` says why, for the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Accepted:
    data: bytes
    content_type: str
    received_type: str
    pages: int
    sha256: str
    previews: list[bytes] = field(default_factory=list)


def file_sniff(head: bytes) -> str | None:
    """The file's type from its first bytes: jpeg, png, heif, pdf, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[4:8] == b"ftyp" and head[8:12] in (
        b"heic",
        b"heix",
        b"hevc",
        b"hevx",
        b"heim",
        b"heis",
        b"mif1",
        b"msf1",
    ):
        return "heif"
    return None


def file_accept(data: bytes) -> Accepted:
    """The safe copy of an upload, or `FileRefused` with the reason."""
    if len(data) > settings.DOCUMENT_MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(limit)s MB.")
            % {"limit": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)}
        )
    kind = file_sniff(data[:32])
    if kind is None:
        raise FileRefused(_("Only JPEG, PNG, HEIC and PDF files can be attached."))
    if kind == "pdf":
        return _pdf(data)
    return _image(data, kind)


def _image(data: bytes, kind: str) -> Accepted:
    limit = settings.DOCUMENT_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = limit
            with Image.open(io.BytesIO(data)) as opened:
                width, height = opened.size
                if width * height > limit:
                    raise FileRefused(_too_many_pixels(limit))
                opened.load()
                image = ImageOps.exif_transpose(opened)
    except FileRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRefused(_too_many_pixels(limit)) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise FileRefused(_("The image could not be read: it may be damaged.")) from None
    out = io.BytesIO()
    if kind == "png":
        image.save(out, format="PNG", optimize=False)
        content_type = "image/png"
    else:
        image.convert("RGB").save(out, format="JPEG", quality=88)
        content_type = "image/jpeg"
    kept = out.getvalue()
    return Accepted(
        data=kept,
        content_type=content_type,
        received_type=kind,
        pages=1,
        sha256=hashlib.sha256(kept).hexdigest(),
        previews=[_preview(image)],
    )


def _too_many_pixels(limit: int) -> str:
    return _("The image has more than %(count)s megapixels.") % {"count": limit // 1_000_000}


def _pdf(data: bytes) -> Accepted:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise FileRefused(_("Encrypted PDFs cannot be attached: save it without a password."))
        root = cast(DictionaryObject, reader.trailer["/Root"].get_object())
        names = cast(DictionaryObject, root.get("/Names", DictionaryObject()))
        if "/JavaScript" in names or ("/OpenAction" in root and _has_script(root["/OpenAction"])):
            raise FileRefused(_("PDFs with scripts cannot be attached."))
        if "/EmbeddedFiles" in names or _has_attachments(reader):
            raise FileRefused(_("PDFs with attached files cannot be attached."))
        pages = len(reader.pages)
    except FileRefused:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError):
        raise FileRefused(_("The PDF could not be read: it may be damaged.")) from None
    if pages > settings.DOCUMENT_MAX_PAGES:
        raise FileRefused(
            _("The PDF has more than %(count)s pages.") % {"count": settings.DOCUMENT_MAX_PAGES}
        )
    if _has_script_anywhere(reader):
        raise FileRefused(_("PDFs with scripts cannot be attached."))
    document = pypdfium2.PdfDocument(data)
    try:
        previews = [_preview(page.render(scale=_scale(page)).to_pil()) for page in document]
    finally:
        document.close()
    return Accepted(
        data=data,
        content_type="application/pdf",
        received_type="pdf",
        pages=pages,
        sha256=hashlib.sha256(data).hexdigest(),
        previews=previews,
    )


def _scale(page: pypdfium2.PdfPage) -> float:
    width = page.get_width() or PREVIEW_WIDTH
    return min(2.0, PREVIEW_WIDTH / width)


def _has_script(action: object) -> bool:
    try:
        resolved = action.get_object()  # type: ignore[attr-defined]
    except AttributeError:
        resolved = action
    return isinstance(resolved, dict) and resolved.get("/S") in ("/JavaScript", "/Launch")


def _has_script_anywhere(reader: pypdf.PdfReader) -> bool:
    for page in reader.pages:
        actions = page.get("/AA")
        if actions is not None and any(
            _has_script(value) for value in actions.get_object().values()
        ):
            return True
        for annotation in page.get("/Annots") or []:
            target = annotation.get_object()
            if _has_script(target.get("/A")) or target.get("/Subtype") == "/FileAttachment":
                return True
    return False


def _has_attachments(reader: pypdf.PdfReader) -> bool:
    try:
        return bool(reader.attachments)
    except (PyPdfError, KeyError, TypeError, ValueError):
        return True


def _preview(image: Image.Image) -> bytes:
    copy = image.convert("RGB")
    copy.thumbnail((PREVIEW_WIDTH, PREVIEW_WIDTH * 2))
    out = io.BytesIO()
    copy.save(out, format="PNG")
    return out.getvalue()
