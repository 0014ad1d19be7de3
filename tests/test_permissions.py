"""Who may do what, through HTTP: every URL of a case, each method, each person.

Each refused request must also leave the database as it was.
"""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from onboarding.accounts.roles import Role
from onboarding.audit.models import Event
from onboarding.cases.demo import CLIENT
from onboarding.cases.models import Case, SectionRevision
from onboarding.cases.services import case_create
from onboarding.documents.demo import case_fill
from onboarding.documents.models import Document
from onboarding.submissions.models import Step
from onboarding.submissions.plans import submission_plan
from tests.cases.conftest import rm, tenant  # noqa: F401 - shared fixtures
from tests.factories import TenantFactory, document_create, staff_create

pytestmark = pytest.mark.django_db

PEOPLE = ("owner", "other_rm", "officer", "admin", "other_admin", "anonymous")
SEES = {"owner": 200, "other_rm": 404, "officer": 200, "admin": 200, "other_admin": 404}
OWNS = {"owner": None, "other_rm": 404, "officer": 403, "admin": 403, "other_admin": 404}
ADMINS = {"owner": 403, "other_rm": 404, "officer": 403, "admin": None, "other_admin": 404}
# url name -> (method, who gets what; None: allowed, the write happens)
MATRIX = {
    "cases:overview": ("GET", SEES),
    "cases:resume": ("GET", {**SEES, "owner": 302, "officer": 302, "admin": 302}),
    "cases:history": ("GET", SEES),
    "cases:review": ("GET", SEES),
    "cases:cities": ("GET", SEES),
    # Without htmx it sends the person to the review page's decision.
    "cases:matches": ("GET", {**SEES, "owner": 302, "officer": 302, "admin": 302}),
    "cases:section": ("GET", SEES),
    "submissions:status": ("GET", SEES),
    "cases:section#post": ("POST", OWNS),
    "cases:discard": ("POST", OWNS),
    "cases:contact": ("POST", OWNS),
    "submissions:submit": ("POST", OWNS),
    "submissions:activate": ("POST", OWNS),
    "cases:reassign": ("POST", ADMINS),
    "documents:file": ("GET", SEES),
    "documents:preview": ("GET", SEES),
    "documents:thumbnail": ("GET", SEES),
}
WRONG_METHOD = {"GET": "post", "POST": "get"}


@pytest.fixture
def world(tenant, rm):  # noqa: F811
    elsewhere = TenantFactory(name="Elsewhere")
    people = {
        "owner": rm,
        "other_rm": staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant]),
        "officer": staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant]),
        "admin": staff_create(role=Role.ADMIN, tenants=[tenant]),
        "other_admin": staff_create(role=Role.ADMIN, tenants=[elsewhere]),
    }
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    document_create(case=case)
    return people, case


def _url(name, case):
    name = name.partition("#")[0]
    if name.startswith("documents:"):
        uid = Document.objects.filter(case=case).earliest("id").uid
        return reverse(name, args=[uid] if name == "documents:file" else [uid, 1])
    args = [case.pk, "client"] if name == "cases:section" else [case.pk]
    url = reverse(name, args=args)
    return url + "?prefix=addresses-0&addresses-0-country=CHL" if name == "cases:cities" else url


def _data(name, case, people):
    return {
        "cases:section#post": {**CLIENT, "first_name": ["Mallory"], "version": case.version},
        "cases:discard": {"confirm": "yes"},
        "cases:contact": {"decision": "new_contact", "reason": "Another birth date"},
        "submissions:submit": {"digest": submission_plan(case=case).digest},
        "submissions:activate": {"confirm": "yes"},
        "cases:reassign": {"owner": people["other_rm"].pk},
    }.get(name, {})


def _snapshot():
    return (
        list(Case.objects.order_by("pk").values_list("pk", "owner_id", "status", "version")),
        [case.drafts for case in Case.objects.order_by("pk")],
        Event.objects.count(),
        list(Step.objects.order_by("pk").values_list("pk", "state")),
        SectionRevision.objects.count(),
    )


def test_it_covers_every_url_of_a_case():
    names = set()
    for namespace in ("cases", "submissions"):
        resolver = get_resolver().namespace_dict[namespace][1]
        for pattern in resolver.url_patterns:
            assert isinstance(pattern, URLPattern)
            if "pk" in str(pattern.pattern):
                names.add(f"{namespace}:{pattern.name}")
    resolver = get_resolver().namespace_dict["documents"][1]
    names |= {f"documents:{pattern.name}" for pattern in resolver.url_patterns}  # type: ignore[union-attr]
    assert names == {name.partition("#")[0] for name in MATRIX}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", list(MATRIX))
def test_it_answers_each_person_as_the_permission_table_says(client, world, name, person, sandbox):
    people, case = world
    method, expected = MATRIX[name]
    if person != "anonymous":
        client.force_login(people[person])
    data = _data(name, case, people)
    before = _snapshot()

    response = getattr(client, method.lower())(_url(name, case), data)

    if person == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        assert _snapshot() == before
        return
    wanted = expected[person]
    if wanted is None:
        assert response.status_code in (200, 302), (name, person, response.status_code)
        return
    assert response.status_code == wanted, (name, person)
    if method == "POST" or wanted != 200:
        assert _snapshot() == before, (name, person)


@pytest.mark.parametrize("name", list(MATRIX))
def test_it_refuses_the_wrong_method(client, world, name):
    people, case = world
    method, _expected = MATRIX[name]
    if name == "cases:section" or name == "cases:section#post":
        pytest.skip("the section page answers both GET and POST")
    client.force_login(people["owner"])
    before = _snapshot()

    response = getattr(client, WRONG_METHOD[method])(_url(name, case))

    assert response.status_code == 405
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("person", "opens", "saves"), [("owner", 200, 302), ("officer", 403, 403), ("admin", 403, 403)]
)
def test_it_lets_only_relationship_managers_start_an_onboarding(
    client, world, person, opens, saves
):
    people, _case = world
    client.force_login(people[person])
    before = _snapshot()

    page = client.get(reverse("cases:new"))
    # Opening the page creates nothing: the first save does.
    untouched = _snapshot()
    response = client.post(reverse("cases:new"), {**CLIENT, "action": "save"})

    assert page.status_code == opens
    assert untouched == before
    assert response.status_code == saves
    assert Case.objects.count() == len(before[0]) + (1 if saves == 302 else 0)


def test_it_keeps_tenant_admins_out_of_django_admin(client, world):
    people, _case = world
    client.force_login(people["admin"])

    for url in (
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_tenant_changelist"),
        reverse("admin:cases_case_changelist") if _registered("cases_case") else None,
    ):
        if url is None:
            continue
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login/" in response.url


def _registered(name):
    from django.contrib import admin

    return any(f"{m._meta.app_label}_{m._meta.model_name}" == name for m in admin.site._registry)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", ["home:index", "cases:list"])
def test_it_opens_the_home_and_the_list_to_staff_only(client, world, name, person):
    people, case = world
    if person != "anonymous":
        client.force_login(people[person])

    response = client.get(reverse(name))

    if person == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    listed = case.client_name in response.content.decode()
    if name == "cases:list":
        assert listed is (person in ("owner", "officer", "admin"))


STAFF_SEES = {"owner": 403, "other_rm": 403, "officer": 403, "admin": 200, "other_admin": 404}
STAFF_WRITES = {"owner": 403, "other_rm": 403, "officer": 403, "admin": None, "other_admin": 404}
# url name -> (method, who gets what); the member acted on is the officer of the case's tenant.
STAFF_MATRIX = {
    "staff:list": ("GET", {**STAFF_SEES, "other_admin": 200}),
    "staff:invite": ("GET", {**STAFF_SEES, "other_admin": 200}),
    "staff:invite#post": ("POST", {**STAFF_WRITES, "other_admin": None}),
    "staff:detail": ("GET", STAFF_SEES),
    "staff:role": ("POST", STAFF_WRITES),
    "staff:access": ("POST", STAFF_WRITES),
    "staff:resend": ("POST", STAFF_WRITES),
}


def _staff_snapshot():
    from onboarding.accounts.models import User

    return (
        list(User.objects.order_by("pk").values_list("pk", "is_active", "password")),
        list(User.objects.order_by("pk").values_list("pk", "groups__name")),
        Event.objects.count(),
    )


def _staff_url(name, member):
    name = name.partition("#")[0]
    return (
        reverse(name, args=[member.pk])
        if name not in ("staff:list", "staff:invite")
        else (reverse(name))
    )


def _staff_data(name):
    return {
        "staff:invite#post": {
            "email": "nuevo@example.com",
            "first_name": "Nuevo",
            "last_name": "Pérez",
            "role": "compliance_officer",
        },
        "staff:role": {"role": "admin"},
        "staff:access": {"confirm": "on"},
    }.get(name, {})


def test_it_covers_every_staff_url():
    resolver = get_resolver().namespace_dict["staff"][1]
    names = {f"staff:{pattern.name}" for pattern in resolver.url_patterns}
    assert names == {name.partition("#")[0] for name in STAFF_MATRIX}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", list(STAFF_MATRIX))
def test_it_lets_only_the_tenants_admins_manage_its_staff(client, world, name, person):
    people, _case = world
    member = people["officer"]
    member.last_login = None
    member.save()
    method, expected = STAFF_MATRIX[name]
    if person != "anonymous":
        client.force_login(people[person])
    before = _staff_snapshot()

    response = getattr(client, method.lower())(_staff_url(name, member), _staff_data(name))

    if person == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        assert _staff_snapshot() == before
        return
    wanted = expected[person]
    if wanted is None:
        assert response.status_code in (200, 302), (name, person, response.status_code)
        return
    assert response.status_code == wanted, (name, person)
    assert _staff_snapshot() == before, (name, person)


@pytest.mark.parametrize("name", list(STAFF_MATRIX))
def test_it_refuses_the_wrong_method_on_staff_pages(client, world, name):
    people, _case = world
    method, _expected = STAFF_MATRIX[name]
    if name in ("staff:invite", "staff:invite#post"):
        pytest.skip("the invitation page answers both GET and POST")
    client.force_login(people["admin"])
    before = _staff_snapshot()

    response = getattr(client, WRONG_METHOD[method])(_staff_url(name, people["officer"]))

    assert response.status_code == 405
    assert _staff_snapshot() == before


# The KYC review: compliance officers decide; admins look; RMs and other tenants do neither.
KYC_MATRIX = {
    "kyc:queue": (
        "GET",
        {"owner": 403, "other_rm": 403, "officer": 200, "admin": 200, "other_admin": 200},
    ),
    "kyc:figures": (
        "GET",
        {"owner": 403, "other_rm": 403, "officer": 200, "admin": 200, "other_admin": 200},
    ),
    "kyc:review": (
        "GET",
        {"owner": 403, "other_rm": 403, "officer": 200, "admin": 200, "other_admin": 404},
    ),
    "kyc:take": (
        "POST",
        {"owner": 403, "other_rm": 403, "officer": None, "admin": 403, "other_admin": 404},
    ),
    "kyc:decide": (
        "POST",
        {"owner": 403, "other_rm": 403, "officer": None, "admin": 403, "other_admin": 404},
    ),
    "kyc:check": (
        "POST",
        {"owner": 403, "other_rm": 403, "officer": None, "admin": 403, "other_admin": 404},
    ),
    "kyc:hit": (
        "POST",
        {"owner": 403, "other_rm": 403, "officer": None, "admin": 403, "other_admin": 404},
    ),
}


def _kyc_snapshot():
    from onboarding.kyc.models import Review, ScreeningHit

    return (
        list(Review.objects.order_by("pk").values_list("pk", "state", "assignee_id")),
        list(ScreeningHit.objects.order_by("pk").values_list("pk", "decision")),
        list(Step.objects.order_by("pk").values_list("pk", "state", "approved_digest")),
        Event.objects.count(),
    )


def test_it_covers_every_kyc_url():
    resolver = get_resolver().namespace_dict["kyc"][1]
    assert {f"kyc:{pattern.name}" for pattern in resolver.url_patterns} == set(KYC_MATRIX)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", list(KYC_MATRIX))
def test_it_lets_only_compliance_officers_decide_about_kyc(client, world, name, person, sandbox):
    from onboarding.kyc.models import Review
    from tests.submissions.conftest import steps_drive, submit

    people, case = world
    submit(case, people["owner"])
    steps_drive(case, approve=False)
    review = Review.objects.get(case=case)
    method, expected = KYC_MATRIX[name]
    if person != "anonymous":
        client.force_login(people[person])
    data = (
        {"decision": "approve", "digest": review.digest, "attest": "yes"}
        if name == "kyc:decide"
        else {}
    )
    if name == "kyc:decide":
        from onboarding.kyc.services import review_assign
        from tests.submissions.conftest import documents_verify

        documents_verify(review, people["officer"])
        # Approving asks for the review taken by the officer who approves.
        review_assign(review=review, user=people["officer"])
    if name == "kyc:check":
        from tests.kyc.conftest import attach

        document = attach(case, people["owner"], "identity")
        data = {"verdict": "verified"}
        url = reverse(name, args=[review.pk, document.uid])
    elif name == "kyc:hit":
        from tests.kyc.conftest import client_listed

        hit = client_listed(case)
        data = {"decision": "possible"}
        url = reverse(name, args=[review.pk, hit.pk])
    elif name in ("kyc:queue", "kyc:figures"):
        url = reverse(name)
    else:
        url = reverse(name, args=[review.pk])
    before = _kyc_snapshot()

    response = getattr(client, method.lower())(url, data)

    if person == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        assert _kyc_snapshot() == before
        return
    wanted = expected[person]
    if wanted is None:
        assert response.status_code == 302, (name, person, response.status_code)
        assert _kyc_snapshot() != before
        return
    assert response.status_code == wanted, (name, person)
    assert _kyc_snapshot() == before, (name, person)


# The failure queue: a tenant's admins only.
OPS_SEES = {"owner": 403, "other_rm": 403, "officer": 403, "admin": 200, "other_admin": 200}
OPS_MATRIX = {
    "operations:failures": ("GET", OPS_SEES),
    "operations:export": ("GET", OPS_SEES),
    "operations:failure": ("GET", {**OPS_SEES, "other_admin": 404}),
    "operations:act": (
        "POST",
        {"owner": 403, "other_rm": 403, "officer": 403, "admin": None, "other_admin": 404},
    ),
    "operations:erase": (
        "POST",
        {"owner": 403, "other_rm": 403, "officer": 403, "admin": None, "other_admin": 404},
    ),
    "operations:bulk": (
        "POST",
        {"owner": 403, "other_rm": 403, "officer": 403, "admin": None, "other_admin": "same"},
    ),
}


def test_it_covers_every_operations_url():
    resolver = get_resolver().namespace_dict["operations"][1]
    assert {f"operations:{pattern.name}" for pattern in resolver.url_patterns} == set(OPS_MATRIX)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", list(OPS_MATRIX))
def test_it_lets_only_the_tenants_admins_handle_failures(
    client, world, name, person, sandbox, settings
):
    from onboarding.submissions.worker import step_run
    from tests.submissions.conftest import submit

    people, case = world
    settings.SUBMISSION_MAX_ATTEMPTS = 1
    submit(case, people["owner"])
    step_run(step_id=Step.objects.get(case=case, kind="create").pk)
    sandbox.fail_next("unavailable", method="PUT", path_prefix="/api/contacts")
    step_run(step_id=Step.objects.get(case=case, kind="sales").pk)
    failed = Step.objects.get(case=case, kind="sales")
    method, expected = OPS_MATRIX[name]
    if person != "anonymous":
        client.force_login(people[person])
    if name == "operations:erase":
        url = reverse(name, args=[case.pk])
    elif name in ("operations:failure", "operations:act"):
        url = reverse(name, args=[failed.pk])
    else:
        url = reverse(name)
    data = {
        "action": "retry",
        "steps": [str(failed.pk)],
        "reason": "client_request",
        "confirm": "yes",
    }
    before = _snapshot()

    response = getattr(client, method.lower())(url, data if method == "POST" else {})

    if person == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        assert _snapshot() == before
        return
    wanted = expected[person]
    if wanted is None:
        assert response.status_code == 302, (name, person, response.status_code)
        assert _snapshot() != before
        return
    if wanted == "same":
        # Another tenant's admin posts to their own bulk page: nothing of this tenant moves.
        assert response.status_code == 302
    else:
        assert response.status_code == wanted, (name, person)
    assert _snapshot() == before, (name, person)
