import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.cases.demo import COMPLIANCE, SALES
from onboarding.cases.models import Section
from onboarding.cases.services import case_section_save, case_sections
from onboarding.documents.models import ConsentMethod, DocumentKind
from onboarding.documents.rules import documents_missing
from onboarding.documents.services import consent_record, document_attach, document_remove
from onboarding.submissions.plans import submission_plan
from onboarding.submissions.services import CaseNotReady, case_submit
from tests.documents.conftest import image_bytes

pytestmark = pytest.mark.django_db


def _missing(case):
    case.refresh_from_db()
    return [
        item.requirement.code
        for item in documents_missing(case=case, sections=case_sections(case=case))
    ]


def _save(case, rm, section, raw):
    return case_section_save(
        case=case, section=section, raw=raw, version=case.version, user=rm
    ).case


def _consent(case, rm):
    consent_record(
        case=case,
        user=rm,
        notice_version="1.0",
        given_at=timezone.localdate(),
        method=ConsentMethod.IN_PERSON,
    )


def _attach(case, rm, kind):
    return document_attach(case=case, user=rm, kind=kind, data=image_bytes())


def test_it_asks_for_the_identity_document_when_an_identity_number_is_given(case, rm):
    assert _missing(case) == ["identity", "consent"]

    _attach(case, rm, DocumentKind.IDENTITY)

    assert _missing(case) == ["consent"]


def test_it_asks_only_for_consent_without_an_identity_number(tenant, rm):
    from onboarding.cases.services import case_create

    case = case_create(tenant=tenant, owner=rm)

    assert _missing(case) == ["consent"]


def test_it_asks_for_wealth_evidence_for_a_politically_exposed_client(case, rm):
    pep = {
        **COMPLIANCE,
        "related_to_pep": ["on"],
        "peps-0-name": ["Ana Pérez"],
    }
    case = _save(case, rm, Section.COMPLIANCE, pep)
    assert case_sections(case=case)[Section.COMPLIANCE].data.get("related_to_pep") is True
    assert "wealth" in _missing(case)

    _attach(case, rm, DocumentKind.WEALTH)

    assert "wealth" not in _missing(case)


def test_it_asks_for_wealth_evidence_above_the_tenants_threshold(case, rm, tenant):
    case = _save(case, rm, Section.SALES, SALES)  # total net worth 350,000,000
    assert "wealth" not in _missing(case)

    tenant.wealth_evidence_above = 350_000_000
    tenant.save()
    assert "wealth" not in _missing(case)

    tenant.wealth_evidence_above = 349_999_999
    tenant.save()
    assert "wealth" in _missing(case)


def test_it_asks_for_a_proof_of_address_where_the_tenant_requires_it(case, rm, tenant):
    assert "address" not in _missing(case)

    tenant.address_proof_required = True
    tenant.save()
    assert "address" in _missing(case)

    _attach(case, rm, DocumentKind.ADDRESS)
    assert "address" not in _missing(case)


def test_it_counts_a_removed_document_as_missing(case, rm):
    document = _attach(case, rm, DocumentKind.IDENTITY)
    document_remove(case=case, user=rm, document=document)

    assert "identity" in _missing(case)


def test_it_refuses_submission_until_the_documents_are_attached_with_a_link(ready_case, rm):
    from onboarding.documents.models import Consent, Document

    Document.objects.filter(case=ready_case).delete()
    Consent.objects.filter(case=ready_case).delete()
    page_url = reverse("case_documents:page", args=[ready_case.pk])

    plan = submission_plan(case=ready_case)
    assert not plan.ready
    assert [(str(p), p.href) for p in plan.problems] == [
        (
            "Attach the client's identity document (both sides of a cédula).",
            f"{page_url}#kind-identity",
        ),
        (
            "Record the client's consent to the processing of their data.",
            f"{page_url}#kind-consent",
        ),
    ]
    with pytest.raises(CaseNotReady):
        case_submit(case=ready_case, user=rm, digest=plan.digest)

    _attach(ready_case, rm, DocumentKind.IDENTITY)
    _consent(ready_case, rm)
    assert submission_plan(case=ready_case).ready


def test_it_links_the_missing_documents_on_the_review_page(client, ready_case, rm):
    from onboarding.documents.models import Document

    Document.objects.filter(case=ready_case).delete()
    client.force_login(rm)

    html = client.get(reverse("cases:review", args=[ready_case.pk])).content.decode()

    url = reverse("case_documents:page", args=[ready_case.pk])
    assert f'<a href="{url}#kind-identity">' in html
    assert "Submit to Altafid" not in html
