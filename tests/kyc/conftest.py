from tests.submissions.conftest import ready_case, rm, tenant  # noqa: F401 - shared fixtures


def image_bytes(color=(200, 180, 160), size=(320, 200), fmt="PNG"):
    """A small real image, as a phone or a scanner would send one."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def pdf_bytes(pages=2):
    """A plain PDF of `pages` blank pages."""
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=280)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def attach(case, user, kind, data=None, **extra):
    from onboarding.documents.services import document_attach

    return document_attach(case=case, user=user, kind=kind, data=data or image_bytes(), **extra)


def client_listed(case):
    """Loads a PEP list on which the case's client stands under their own name, and screens
    the client against it: the one hit this gives."""
    import json
    import tempfile
    from pathlib import Path

    from onboarding.kyc.hits import case_person, case_screen
    from onboarding.kyc.models import ScreeningHit, ScreeningReason
    from onboarding.screening.loading import screening_list_load

    person = case_person(case=case)
    entity = {
        "id": f"pep-{case.pk}",
        "schema": "Person",
        "properties": {"name": person.names, "topics": ["role.pep"]},
    }
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "peps.ftm.json"
        path.write_text(json.dumps(entity) + "\n")
        screening_list_load(path=path, dataset="peps")
    case_screen(case=case, reason=ScreeningReason.LISTS, actor=None)
    return ScreeningHit.objects.get(case=case, entity_id=entity["id"])
