import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from onboarding.notices.models import Notice, NoticeKind
from onboarding.outbox.models import MailKind, OutgoingMail

BEFORE = [("notices", "0004_notice_mail")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_moves_the_e_mails_a_failed_send_kept_with_their_notice_to_the_outbox(ready_case, rm):
    kept = Notice.objects.create(
        recipient=rm, tenant=ready_case.tenant, case=ready_case, kind=NoticeKind.REVIEW_APPROVED
    )
    sent = Notice.objects.create(
        recipient=rm, tenant=ready_case.tenant, case=ready_case, kind=NoticeKind.STEP_STOPPED
    )
    old = _migrate(BEFORE).get_model("notices", "Notice")
    old.objects.filter(pk=kept.pk).update(mail={"subject": "KYC approved", "body": "See it."})
    old.objects.filter(pk=sent.pk).update(emailed_at=sent.created_at)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = OutgoingMail.objects.get()
    assert (moved.kind, moved.recipient_id, moved.created_at) == (
        MailKind.REVIEW_DECIDED,
        rm.pk,
        kept.created_at,
    )
    assert moved.message == {"to": [rm.email], "subject": "KYC approved", "body": "See it."}
    assert Notice.objects.get(pk=kept.pk).emailed_at is not None
