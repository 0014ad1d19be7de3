import io

import pytest
from PIL import Image

from onboarding.documents.files import FileRefused, file_accept
from tests.documents import samples


def _refusal(data: bytes) -> str:
    with pytest.raises(FileRefused) as refused:
        file_accept(data)
    return refused.value.message


def test_it_accepts_a_jpeg_and_keeps_a_re_encoded_jpeg_with_a_preview():
    accepted = file_accept(samples.jpeg((640, 480)))

    assert accepted.content_type == "image/jpeg"
    assert accepted.received_type == "jpeg"
    assert accepted.pages == 1
    assert Image.open(io.BytesIO(accepted.data)).size == (640, 480)
    assert len(accepted.previews) == 1
    preview = Image.open(io.BytesIO(accepted.previews[0]))
    assert preview.format == "JPEG"
    assert preview.size == (640, 480)


def test_it_accepts_a_png_as_a_png():
    accepted = file_accept(samples.png())

    assert accepted.content_type == "image/png"
    assert Image.open(io.BytesIO(accepted.data)).format == "PNG"


def test_it_accepts_a_heic_photo_and_keeps_it_as_a_jpeg():
    accepted = file_accept(samples.heic((320, 240)))

    assert accepted.received_type == "heif"
    assert accepted.content_type == "image/jpeg"
    kept = Image.open(io.BytesIO(accepted.data))
    assert kept.format == "JPEG"
    assert kept.size == (320, 240)


def test_it_accepts_a_pdf_as_uploaded_with_a_preview_of_each_page():
    data = samples.pdf(pages=3)

    accepted = file_accept(data)

    assert accepted.content_type == "application/pdf"
    assert accepted.data == data
    assert accepted.pages == 3
    assert [Image.open(io.BytesIO(p)).format for p in accepted.previews] == ["JPEG"] * 3
    assert [Image.open(io.BytesIO(t)).format for t in accepted.thumbnails] == ["JPEG"] * 3


def test_it_makes_a_preview_no_wider_than_1200_pixels_and_a_thumbnail_of_640():
    accepted = file_accept(samples.jpeg((4000, 3000), noise=True))

    assert Image.open(io.BytesIO(accepted.previews[0])).size == (1200, 900)
    assert Image.open(io.BytesIO(accepted.thumbnails[0])).size == (640, 480)
    assert len(accepted.thumbnails[0]) < len(accepted.previews[0]) / 2


def test_it_never_enlarges_a_small_picture_for_its_thumbnail():
    accepted = file_accept(samples.png((300, 200)))

    assert Image.open(io.BytesIO(accepted.thumbnails[0])).size == (300, 200)


def test_it_shows_a_transparent_png_on_white_in_its_preview():
    out = io.BytesIO()
    Image.new("RGBA", (1600, 100), (0, 0, 0, 0)).save(out, "PNG")

    accepted = file_accept(out.getvalue())

    preview = Image.open(io.BytesIO(accepted.previews[0]))
    assert preview.size == (1200, 75)
    assert preview.getpixel((600, 40)) == (255, 255, 255)


def test_it_reads_the_type_from_the_content_whatever_the_file_says_it_is():
    # A JPEG is a JPEG even if it had been named .pdf; there is no name to read at all.
    assert file_accept(samples.jpeg()).content_type == "image/jpeg"
    assert file_accept(samples.png()).content_type == "image/png"


def test_it_strips_metadata_such_as_gps_from_photos():
    data = samples.jpeg((200, 100), gps=True)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)

    accepted = file_accept(data)

    kept = Image.open(io.BytesIO(accepted.data))
    assert not kept.getexif()
    assert b"Canarycam" not in accepted.data
    assert b"Exif" not in accepted.data


def test_it_drops_comments_and_xmp_from_a_photo_and_its_preview():
    out = io.BytesIO()
    samples.photo((100, 80)).save(
        out, "JPEG", comment=samples.CANARY.encode(), xmp=f"<x>{samples.CANARY}</x>".encode()
    )
    assert out.getvalue().count(samples.CANARY.encode()) == 2

    accepted = file_accept(out.getvalue())

    assert samples.CANARY.encode() not in accepted.data
    assert samples.CANARY.encode() not in accepted.previews[0]


def test_it_keeps_the_colour_profile_of_a_photo():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    samples.photo((100, 80)).save(out, "JPEG", icc_profile=profile)

    accepted = file_accept(out.getvalue())

    assert Image.open(io.BytesIO(accepted.data)).info["icc_profile"] == profile


def test_it_turns_a_photo_upright_before_dropping_its_orientation():
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    samples.photo((200, 100)).save(out, "JPEG", exif=exif)

    accepted = file_accept(out.getvalue())

    assert Image.open(io.BytesIO(accepted.data)).size == (100, 200)


def test_it_drops_text_chunks_from_a_png():
    accepted = file_accept(samples.png(text=samples.CANARY))

    assert samples.CANARY.encode() not in accepted.data


def test_it_refuses_a_renamed_executable():
    assert _refusal(samples.executable()) == "Only JPEG, PNG, HEIC and PDF files can be attached."


def test_it_refuses_an_empty_file():
    assert _refusal(b"") == "The file is empty."


@pytest.mark.parametrize("size", [(100_000, 100_000), (8000, 6000), (65_535, 1000)])
def test_it_refuses_a_png_declaring_a_huge_size_without_decoding_it(monkeypatch, size):
    def never(*args, **kwargs):
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(Image.Image, "load", never)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", never)

    assert _refusal(samples.png_bomb(*size)) == "The image has more than 40 megapixels."


def test_it_refuses_a_photo_over_the_pixel_limit(settings):
    settings.DOCUMENT_MAX_PIXELS = 1_000_000

    assert _refusal(samples.jpeg((1001, 1000))) == "The image has more than 1 megapixels."
    assert file_accept(samples.jpeg((1000, 1000))).pages == 1


def test_it_refuses_a_40_megapixel_jpeg():
    out = io.BytesIO()
    Image.new("RGB", (8000, 5001), "white").save(out, "JPEG", quality=50)

    assert _refusal(out.getvalue()) == "The image has more than 40 megapixels."


def test_it_refuses_a_heic_over_the_pixel_limit(settings):
    settings.DOCUMENT_MAX_PIXELS = 1_000_000

    assert _refusal(samples.heic((1200, 900))) == "The image has more than 1 megapixels."


def test_it_refuses_a_file_over_the_size_limit(settings):
    settings.DOCUMENT_MAX_BYTES = 2 * 1024 * 1024

    message = _refusal(samples.pdf() + b"%" * (2 * 1024 * 1024))

    assert message == "The file is larger than 2 MB."


def test_it_refuses_a_damaged_image():
    assert _refusal(samples.jpeg()[:200]) == "The image could not be read: it may be damaged."


def test_it_refuses_a_damaged_pdf():
    assert _refusal(b"%PDF-1.7\n" + b"\x00" * 100) == (
        "The PDF could not be read: it may be damaged."
    )


@pytest.mark.parametrize(
    "make",
    [samples.pdf_with_script, samples.pdf_with_page_script, samples.pdf_with_annotation_script],
)
def test_it_refuses_a_pdf_with_javascript(make):
    assert _refusal(make()) == "PDFs with scripts cannot be attached."


def test_it_refuses_a_pdf_with_a_document_level_script():
    assert _refusal(samples.pdf_with_catalog_script()) == "PDFs with scripts cannot be attached."


def test_it_refuses_a_pdf_with_a_form_script():
    assert _refusal(samples.pdf_with_xfa()) == "PDFs with scripts cannot be attached."


def test_it_refuses_an_encrypted_pdf():
    assert _refusal(samples.pdf_encrypted()) == (
        "Encrypted PDFs cannot be attached: save it without a password."
    )


def test_it_refuses_a_pdf_with_an_embedded_file():
    assert _refusal(samples.pdf_with_attachment()) == (
        "PDFs with attached files cannot be attached."
    )


def test_it_refuses_a_pdf_over_the_page_limit(settings):
    settings.DOCUMENT_MAX_PAGES = 3

    assert _refusal(samples.pdf(pages=4)) == "The PDF has more than 3 pages."
    assert file_accept(samples.pdf(pages=3)).pages == 3
