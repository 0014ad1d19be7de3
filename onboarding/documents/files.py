"""What an uploaded file is, read from its content alone, and the safe copy that is kept.

Accepted: JPEG, PNG, HEIC/HEIF and PDF, within `DOCUMENT_MAX_BYTES`, `DOCUMENT_MAX_PAGES`
and `DOCUMENT_MAX_PIXELS`. The name and the browser's claimed type are never read. Images
are decoded and encoded again (JPEG, or PNG for a PNG), which drops their metadata (GPS,
camera, comments); PDFs with scripts, attachments or encryption are refused. Each page gets
a JPEG preview, and a smaller one (the thumbnail) that pages show until someone zooms.
"""

import hashlib
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import pypdf
import pypdfium2
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

register_heif_opener()

PREVIEW_WIDTH = 1200
# A page preview is at most this tall: a page ten times taller than wide is drawn smaller.
PREVIEW_HEIGHT = PREVIEW_WIDTH * 2
PREVIEW_QUALITY = 85
# As wide as the review page's document column on a laptop: the first screen of a review
# with six documents stays light; zooming in loads the preview.
THUMBNAIL_WIDTH = 640
THUMBNAIL_QUALITY = 80
OPENERS = {"jpeg": "JPEG", "png": "PNG", "heif": "HEIF"}
DRAWING_INFO = frozenset({"icc_profile", "transparency", "gamma"})
# Actions that run code, open or fetch something outside the file, or send data out.
UNSAFE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/ImportData",
        "/SubmitForm",
        "/GoToE",
        "/RichMediaExecute",
        "/Rendition",
    }
)
# Past this many objects a PDF is not a scanned document; it is refused rather than walked.
PDF_MAX_OBJECTS = 100_000


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
    thumbnails: list[bytes] = field(default_factory=list)


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
    if not data:
        raise FileRefused(_("The file is empty."))
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
            # The size is checked against the setting below, before anything is decoded;
            # Pillow's own check (a warning, an error past twice its limit) stays a backstop.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Only the decoder of the type sniffed: a file never reaches another one.
            with Image.open(io.BytesIO(data), formats=[OPENERS[kind]]) as opened:
                width, height = opened.size
                if width * height > limit:
                    raise FileRefused(_too_many_pixels(limit))
                opened.load()
                image = ImageOps.exif_transpose(opened)
                # Pillow writes some of what it read back out (a JPEG's comment, say): only
                # what draws the picture stays.
                image.info = {k: v for k, v in image.info.items() if k in DRAWING_INFO}
    except FileRefused:
        raise
    except Image.DecompressionBombError:
        raise FileRefused(_too_many_pixels(limit)) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise FileRefused(_("The image could not be read: it may be damaged.")) from None
    out = io.BytesIO()
    if kind == "png":
        # zlib level 3: half the default's time on a 12-megapixel photo (1.5 s instead of
        # 3.3 s), a scan or screenshot still small.
        image.save(out, format="PNG", compress_level=3)
        content_type = "image/png"
    else:
        # The colour profile is kept (phones shoot in wide gamut); it says nothing of anyone.
        image.convert("RGB").save(
            out, format="JPEG", quality=88, icc_profile=image.info.get("icc_profile")
        )
        content_type = "image/jpeg"
    kept = out.getvalue()
    return Accepted(
        data=kept,
        content_type=content_type,
        received_type=kind,
        pages=1,
        sha256=hashlib.sha256(kept).hexdigest(),
        **_renditions([image]),
    )


def _too_many_pixels(limit: int) -> str:
    return _("The image has more than %(count)s megapixels.") % {"count": limit // 1_000_000}


def _pdf(data: bytes) -> Accepted:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise FileRefused(_("Encrypted PDFs cannot be attached: save it without a password."))
        pages = len(reader.pages)
        if pages > settings.DOCUMENT_MAX_PAGES:
            raise FileRefused(
                _("The PDF has more than %(count)s pages.") % {"count": settings.DOCUMENT_MAX_PAGES}
            )
        found = _pdf_dangers(reader)
    except FileRefused:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise FileRefused(_("The PDF could not be read: it may be damaged.")) from None
    if "script" in found:
        raise FileRefused(_("PDFs with scripts cannot be attached."))
    if "attachment" in found:
        raise FileRefused(_("PDFs with attached files cannot be attached."))
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise FileRefused(_("The PDF could not be read: it may be damaged.")) from None
    try:
        renditions = _renditions(page.render(scale=_scale(page)).to_pil() for page in document)
    except pypdfium2.PdfiumError:
        raise FileRefused(_("The PDF could not be read: it may be damaged.")) from None
    finally:
        document.close()
    return Accepted(
        data=data,
        content_type="application/pdf",
        received_type="pdf",
        pages=pages,
        sha256=hashlib.sha256(data).hexdigest(),
        **renditions,
    )


def _scale(page: pypdfium2.PdfPage) -> float:
    width = page.get_width() or PREVIEW_WIDTH
    height = page.get_height() or PREVIEW_HEIGHT
    return min(2.0, PREVIEW_WIDTH / width, PREVIEW_HEIGHT / height)


def _pdf_dangers(reader: pypdf.PdfReader) -> set[str]:
    """What the PDF carries that a viewer could run or unpack: "script" (JavaScript, XFA
    forms, launch and submit actions, wherever they hang: document, page, annotation or form
    field) and "attachment" (embedded files). Every object reachable from the catalog is
    read, so none hides under an unusual key or behind a `/Next` chain."""
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    pending: list[object] = [reader.trailer["/Root"]]
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > PDF_MAX_OBJECTS:
                raise ValueError("too many objects")
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            if "/JS" in node or "/XFA" in node or node.get("/S") in UNSAFE_ACTIONS:
                found.add("script")
            if "/JavaScript" in node:
                found.add("script")
            if (
                "/EF" in node
                or "/EmbeddedFiles" in node
                or node.get("/Type") == "/EmbeddedFile"
                or node.get("/Subtype") == "/FileAttachment"
            ):
                found.add("attachment")
            pending.extend(value for name, value in node.items() if name != "/Parent")
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return found


def _renditions(pages: Iterable[Image.Image]) -> dict[str, list[bytes]]:
    """Each page's preview and thumbnail (the thumbnail made from the preview: a fraction of
    the time of one from the page)."""
    previews, thumbnails = [], []
    for page in pages:
        preview = _flattened(_fitted(page, PREVIEW_WIDTH, PREVIEW_HEIGHT))
        previews.append(_jpeg(preview, PREVIEW_QUALITY))
        thumbnail = _fitted(preview, THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 2)
        thumbnails.append(_jpeg(thumbnail, THUMBNAIL_QUALITY))
    return {"previews": previews, "thumbnails": thumbnails}


def _fitted(image: Image.Image, width: int, height: int) -> Image.Image:
    """The image at most `width` by `height`, its proportions kept; never enlarged."""
    ratio = min(1.0, width / image.width, height / image.height)
    if ratio == 1.0:
        return image
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if _transparent(image) else "RGB")
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def _flattened(image: Image.Image) -> Image.Image:
    """RGB, transparency shown as white, as the page behind a scan or screenshot would be."""
    if _transparent(image):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    """A JPEG: a tenth of a PNG's size and time for a photo, and sharp enough for a page of
    text at the preview's size."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _transparent(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
