import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_risk_rating"),
        ("audit", "0012_indexes_led_by_tenant"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # An index on a reference to a person that most rows leave empty holds only the rows that
    # have one. Only the plain indexes go: Django's own AlterField would also drop and validate
    # again the foreign keys, scanning the whole table under a lock.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "audit_event_staff_id_efcad99d"',
                    'CREATE INDEX "audit_event_staff_id_efcad99d" ON "audit_event" ("staff_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "audit_event_actor_id_fdb5de2b"',
                    'CREATE INDEX "audit_event_actor_id_fdb5de2b" ON "audit_event" ("actor_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="staff",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="staff_events",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="actor",
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
            model_name="event",
            index=models.Index(
                condition=models.Q(("staff__isnull", False)),
                fields=["staff"],
                name="audit_event_staff",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)),
                fields=["actor"],
                name="audit_event_actor",
            ),
        ),
    ]
