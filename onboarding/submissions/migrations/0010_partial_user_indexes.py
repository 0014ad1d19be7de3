import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_risk_rating"),
        ("submissions", "0009_indexes_led_by_step_and_case"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # An index on a reference to a person that most rows leave empty holds only the rows that
    # have one. Only the plain indexes go: Django's own AlterField would also drop and validate
    # again the foreign keys, scanning the whole table under a lock.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "submissions_step_approved_by_id_5b777397"',
                    'CREATE INDEX "submissions_step_approved_by_id_5b777397" ON "submissions_step" ("approved_by_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="step",
                    name="approved_by",
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
            model_name="step",
            index=models.Index(
                condition=models.Q(("approved_by__isnull", False)),
                fields=["approved_by"],
                name="submissions_step_approver",
            ),
        ),
    ]
