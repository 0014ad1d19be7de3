"""Addresses are stored in lower case from now on (sign-in matches them in any case)."""

from collections import Counter

from django.db import migrations


def emails_lower(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    users = list(User.objects.only("pk", "email"))
    counts = Counter(user.email.lower() for user in users)
    clashes = sorted(user.pk for user in users if counts[user.email.lower()] > 1)
    if clashes:
        raise RuntimeError(
            f"Users {clashes} have one address written in different cases: merge or rename "
            "them in Django admin, then migrate again."
        )
    for user in users:
        if user.email != user.email.lower():
            User.objects.filter(pk=user.pk).update(email=user.email.lower())


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_admin_role_without_django_admin")]

    operations = [migrations.RunPython(emails_lower, migrations.RunPython.noop)]
