"""Work out what each held session already recorded inherited from the one before it."""

from django.db import migrations


def keep(apps, schema_editor):
    # Nothing to work out on a new database; on one with records, the same computation the
    # product keeps them with (sessions_app.brought_forward), on the tables as they are now.
    if not apps.get_model("sessions_app", "Session").objects.exists():
        return
    from sessions_app import brought_forward

    brought_forward.rebuild()


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0013_brought_forward")]

    operations = [migrations.RunPython(keep, migrations.RunPython.noop)]
