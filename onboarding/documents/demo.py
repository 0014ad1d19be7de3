"""A fully filled-in onboarding with its evidence: the sections (`cases.demo`), an identity
document and the client's consent, so that nothing stands in the way of Submit. For demos,
benchmarks and tests."""

import io

from django.utils import timezone
from PIL import Image

from onboarding.accounts.models import User
from onboarding.cases import demo
from onboarding.cases.models import Case
from onboarding.documents.models import ConsentMethod, DocumentKind
from onboarding.documents.services import consent_record, document_attach

rut_for = demo.rut_for


def sample_jpeg(*, size: tuple[int, int] = (64, 40), colour: str = "#3b6ea5") -> bytes:
    """A small real JPEG (a stand-in for a photo of a document)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def case_fill(
    case: Case, user: User, *, email: str | None = None, identity: str | None = None
) -> Case:
    """`cases.demo.case_fill`, then the identity document and the consent every case needs."""
    case = demo.case_fill(case, user, email=email, identity=identity)
    document_attach(
        case=case, user=user, kind=DocumentKind.IDENTITY, data=sample_jpeg(), title="Cédula"
    )
    consent_record(
        case=case,
        user=user,
        notice_version=case.tenant.privacy_notice_version,
        given_at=timezone.localdate(timezone=case.tenant.zone),
        method=ConsentMethod.IN_PERSON,
    )
    case.refresh_from_db()
    return case
