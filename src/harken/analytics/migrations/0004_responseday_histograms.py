# Response times kept as histograms (``harken.analytics.figures.durations``) instead of
# every conversation's seconds. The old lists are dropped, not converted: clearing the
# conversations' watermark has the queue's next catch-up roll every day up again from the
# conversations themselves.

from django.db import migrations, models


def roll_conversation_days_again(apps, schema_editor):
    apps.get_model("analytics", "ResponseDay").objects.all().delete()
    apps.get_model("analytics", "RollupState").objects.update(conversations_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_postmetric"),
    ]

    operations = [
        migrations.RunPython(roll_conversation_days_again, migrations.RunPython.noop),
        migrations.RemoveField(model_name="responseday", name="first_response"),
        migrations.RemoveField(model_name="responseday", name="resolution"),
        migrations.AddField(
            model_name="responseday",
            name="first_response",
            field=models.BinaryField(default=b"", help_text="A ``Durations``' bytes."),
        ),
        migrations.AddField(
            model_name="responseday",
            name="resolution",
            field=models.BinaryField(default=b"", help_text="A ``Durations``' bytes."),
        ),
    ]
