import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_risk_rating"),
        ("kyc", "0009_rescreening_lease"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # An index on a reference to a person that most rows leave empty holds only the rows that
    # have one. Only the plain indexes go: Django's own AlterField would also drop and validate
    # again the foreign keys, scanning the whole table under a lock.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "kyc_review_assignee_id_da6dae99"',
                    'CREATE INDEX "kyc_review_assignee_id_da6dae99" ON "kyc_review" ("assignee_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "kyc_review_decided_by_id_6ead9333"',
                    'CREATE INDEX "kyc_review_decided_by_id_6ead9333" ON "kyc_review" ("decided_by_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="review",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="review",
                    name="decided_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                condition=models.Q(("assignee__isnull", False)),
                fields=["assignee"],
                name="kyc_review_assignee",
            ),
        ),
        migrations.AddIndex(
            model_name="review",
            index=models.Index(
                condition=models.Q(("decided_by__isnull", False)),
                fields=["decided_by"],
                name="kyc_review_decider",
            ),
        ),
    ]
