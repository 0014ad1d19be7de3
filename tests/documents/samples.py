"""Files to upload in tests, made here byte by byte: photos (JPEG, PNG, HEIC), PDFs, and the
hostile ones the intake must refuse."""

import io
import random
import struct
import zlib

import pypdf
from PIL import Image
from pillow_heif import register_heif_opener
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

register_heif_opener()

# Written into files where an encrypted store must never show it.
CANARY = "CANARY-7f3a"


def photo(size: tuple[int, int] = (64, 48), *, noise: bool = False) -> Image.Image:
    """A picture with some structure: a gradient, with sensor-like noise when asked."""
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_180), gradient))
    if noise:
        grain = Image.effect_noise(size, 24).convert("RGB")
        image = Image.blend(image, grain, 0.25)
    return image


def jpeg(size: tuple[int, int] = (64, 48), *, gps: bool = False, noise: bool = False) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Canarycam"  # Make
    if gps:
        # GPS IFD: latitude -33.45, longitude -70.66 (Santiago).
        exif[0x8825] = {
            1: "S",
            2: (33.0, 27.0, 0.0),
            3: "W",
            4: (70.0, 39.0, 36.0),
        }
    photo(size, noise=noise).save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48), *, text: str = "") -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    if text:
        info.add_text("Comment", text)
    out = io.BytesIO()
    photo(size).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def heic(size: tuple[int, int] = (64, 48), *, noise: bool = False) -> bytes:
    out = io.BytesIO()
    photo(size, noise=noise).save(out, "HEIF", quality=80)
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header declares a huge image (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def executable() -> bytes:
    """The start of a Windows executable (as an attacker renames it to photo.jpg)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(
        random.randbytes(512)
    )


def _writer(pages: int, text: str) -> pypdf.PdfWriter:
    writer = pypdf.PdfWriter()
    for number in range(pages):
        page = writer.add_blank_page(width=595, height=842)
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        words = f"{text} page {number + 1}".replace("(", "").replace(")", "")
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 24 Tf 72 720 Td ({words}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(content)
    return writer


def _bytes(writer: pypdf.PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf(pages: int = 1, *, text: str = "Proof of address") -> bytes:
    return _bytes(_writer(pages, text))


def pdf_with_script() -> bytes:
    writer = _writer(1, "Scripted")
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return _bytes(writer)


def pdf_with_page_script() -> bytes:
    """A script that runs when a page opens (the page's additional actions)."""
    writer = _writer(1, "Scripted page")
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): pypdf.generic.TextStringObject("app.alert(1)"),
        }
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    return _bytes(writer)


def pdf_with_attachment() -> bytes:
    writer = _writer(1, "With attachment")
    writer.add_attachment("payload.exe", b"MZ" + b"\x00" * 64)
    return _bytes(writer)


def pdf_encrypted() -> bytes:
    writer = _writer(1, "Locked")
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    return _bytes(writer)


def pdf_with_annotation_script() -> bytes:
    writer = _writer(1, "Link")
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([pypdf.generic.FloatObject(v) for v in (0, 0, 9, 9)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/JavaScript"),
                    NameObject("/JS"): pypdf.generic.TextStringObject("app.alert(2)"),
                }
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _bytes(writer)


def pdf_with_catalog_script() -> bytes:
    """A script the document runs as it closes (the catalog's additional actions)."""
    writer = _writer(1, "Scripted close")
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): pypdf.generic.TextStringObject("app.alert(3)"),
        }
    )
    writer._root_object[NameObject("/AA")] = DictionaryObject({NameObject("/WC"): action})
    return _bytes(writer)


def pdf_with_xfa() -> bytes:
    """An XFA form, which carries its own scripts."""
    writer = _writer(1, "Form")
    xfa = DecodedStreamObject()
    xfa.set_data(b"<xdp:xdp><script>app.alert(4)</script></xdp:xdp>")
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject(),
            NameObject("/XFA"): writer._add_object(xfa),
        }
    )
    return _bytes(writer)
