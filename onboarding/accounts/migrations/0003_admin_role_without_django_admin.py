from django.db import migrations


def forward(apps, schema_editor):
    """The admin role no longer has Django admin's permissions or staff access."""
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    for group in Group.objects.filter(name="admin"):
        group.permissions.clear()
    User.objects.filter(is_superuser=False, is_staff=True).update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_roles")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
