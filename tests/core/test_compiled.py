import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onboarding.accounts.models import User
from onboarding.cases.models import Case
from onboarding.core.compiled import CompiledGet, CompiledRead, instance
from tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db

CASE_READ = CompiledRead(
    lambda case_id: Case.objects.filter(pk=case_id).values_list(
        "tenant_id", "drafts", "created_at", "owner__email"
    )
)


def _case(**drafts):
    tenant = TenantFactory()
    owner = UserFactory()
    return Case.objects.create(tenant=tenant, owner=owner, drafts=drafts)


def test_it_answers_as_the_queryset_does_for_each_id():
    first, second = _case(client={"name": "Ana"}), _case(sales={"goal": "growth"}, x={})

    for case in (first, second, first):
        expected = list(
            Case.objects.filter(pk=case.pk).values_list(
                "tenant_id", "drafts", "created_at", "owner__email"
            )
        )
        assert CASE_READ.rows(case.pk) == expected

    assert CASE_READ.first(second.pk)[1] == {"sales": {"goal": "growth"}, "x": {}}


def test_it_answers_nothing_for_an_id_not_there():
    assert CASE_READ.rows(987654321) == []
    assert CASE_READ.first(987654321) is None


def test_it_builds_the_query_once():
    case = _case()
    reader = CompiledRead(lambda case_id: Case.objects.filter(pk=case_id).values_list("id"))
    reader.rows(case.pk)

    with CaptureQueriesContext(connection) as captured:
        assert reader.rows(case.pk) == [(case.pk,)]

    assert len(captured) == 1
    assert reader._compiled[connection.vendor][0] == captured[0]["sql"].replace(str(case.pk), "%s")


def test_it_takes_several_ids_in_their_order():
    one, two = _case(), _case()
    reader = CompiledRead(
        lambda owner_id, tenant_id: Case.objects.filter(
            owner_id=owner_id, tenant_id=tenant_id
        ).values_list("id")
    )

    assert reader.rows(one.owner_id, one.tenant_id) == [(one.pk,)]
    assert reader.rows(two.owner_id, one.tenant_id) == []


def test_it_refuses_a_query_that_uses_an_id_twice():
    reader = CompiledRead(
        lambda case_id: Case.objects.filter(pk=case_id, owner_id=case_id).values_list("id")
    )

    with pytest.raises(ValueError, match="once"):
        reader.rows(1)


def test_it_makes_an_instance_holding_only_the_fields_read():
    person = instance(User, ("id", "email"), (5, "rm@example.com"))

    assert (person.pk, person.email) == (5, "rm@example.com")
    assert person.get_deferred_fields() >= {"first_name", "last_name", "password"}


def test_it_reads_by_a_key_given_as_text():
    case = _case()
    Case.objects.filter(pk=case.pk).update(identity_hash="abc123")
    reader = CompiledRead(
        lambda tenant_id, identity_hash: Case.objects.filter(
            tenant_id=tenant_id, identity_hash=identity_hash
        ).values_list("id")
    )

    assert reader.rows(case.tenant_id, "abc123") == [(case.pk,)]
    assert reader.rows(case.tenant_id, "abc124") == []


def test_it_gets_an_instance_with_its_related_one_as_select_related_does():
    case = _case(client={"name": "Ana"})
    reader = CompiledGet(Case, "tenant", "owner")

    found = reader.get(case.pk)
    expected = Case.objects.select_related("tenant", "owner").get(pk=case.pk)

    with CaptureQueriesContext(connection) as captured:
        assert found.drafts == expected.drafts
        assert found.tenant.name == expected.tenant.name
        assert found.owner.email == expected.owner.email
    assert captured.captured_queries == []
    assert {f.attname: getattr(found, f.attname) for f in Case._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in Case._meta.concrete_fields
    }
    assert reader.get(987654321) is None


@pytest.mark.django_db(transaction=True)
def test_it_locks_the_row_it_gets_and_leaves_deferred_columns_unread():
    case = _case(client={"name": "Ana"})
    reader = CompiledGet(Case, defer=("drafts",), lock=True, no_key=True)

    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        found = reader.get(case.pk)

    assert captured[0]["sql"].endswith("FOR NO KEY UPDATE")
    assert "drafts" not in captured[0]["sql"]
    assert found.get_deferred_fields() == {"drafts"}
    assert found.drafts == {"client": {"name": "Ana"}}


def test_it_refuses_to_lock_a_read_of_several_tables():
    with pytest.raises(ValueError, match="one table"):
        CompiledGet(Case, "tenant", lock=True)
