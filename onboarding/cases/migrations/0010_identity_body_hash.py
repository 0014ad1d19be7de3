"""A second keyed hash for a client's RUT: of its digits without the check digit, so that a
search for "15.234.567" or "15234567" finds 15.234.567-4. Existing cases get theirs from their
client section (decrypted through the field)."""

from django.core.exceptions import ValidationError
from django.db import migrations, models

from onboarding.cases.validators import RUT_BODY, rut_validate
from onboarding.core.crypto import search_hash

BATCH = 500


def body_hash(client):
    """The hash for a client section's draft ({name: [values]}); "" if it holds no valid RUT."""
    client = client or {}
    if (client.get("identity_type") or [""])[0] != "CHILE_RUT":
        return ""
    try:
        rut = rut_validate((client.get("identity_id") or [""])[0])
    except ValidationError:
        return ""
    return search_hash(rut.partition("-")[0], purpose=RUT_BODY)


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    changed = []
    for case in Case.objects.exclude(identity_hash="").only("pk", "drafts").iterator(BATCH):
        case.identity_body_hash = body_hash((case.drafts or {}).get("client"))
        if case.identity_body_hash:
            changed.append(case)
        if len(changed) >= BATCH:
            Case.objects.bulk_update(changed, ["identity_body_hash"])
            changed = []
    Case.objects.bulk_update(changed, ["identity_body_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_one_holder_per_contact'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='identity_body_hash',
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
