# Response times per topic and account, and the rollups' format. The rows written before
# stay readable (every topic, no account) until the queue's next catch-up sees format 0,
# older than ``rollups.FORMAT``, and rolls every day up again once (phrases and authors
# per topic too), with its progress bar. The response rows' index gains the topic: a page
# reads one topic's rows of a range of days.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0004_responseday_histograms'),
    ]

    operations = [
        migrations.AddField(
            model_name='responseday',
            name='account',
            field=models.PositiveIntegerField(default=0, help_text="Our account the conversation arrived through (its first customer mention's source); 0: none, e.g. a keyword search."),
        ),
        migrations.AddField(
            model_name='responseday',
            name='topic',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='rollupstate',
            name='format',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RemoveIndex(
            model_name='responseday',
            name='responseday_read',
        ),
        migrations.AddIndex(
            model_name='responseday',
            index=models.Index(fields=['workspace', 'day', 'topic'], name='responseday_read'),
        ),
    ]
