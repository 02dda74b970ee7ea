# The composer's fields: shared text, first comments, threads, media, drafts from feeds.

import django.db.models.deletion
from django.db import migrations, models

import harken.publishing.models.media


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_member_last_opened"),
        ("networks", "0001_initial"),
        ("publishing", "0003_calendar"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="source_url",
            field=models.URLField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="post",
            name="text",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="variant",
            name="first_comment",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="variant",
            name="numbered",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="variant",
            name="parts",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="variant",
            name="thread",
            field=models.BooleanField(default=False),
        ),
        migrations.CreateModel(
            name="Media",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=255, upload_to=harken.publishing.models.media.media_path
                    ),
                ),
                ("content_type", models.CharField(max_length=64)),
                ("size", models.PositiveIntegerField()),
                ("width", models.PositiveIntegerField()),
                ("height", models.PositiveIntegerField()),
                ("alt_text", models.TextField(blank=True)),
                ("alt_not_needed", models.BooleanField(default=False)),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.member",
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.workspace",
                    ),
                ),
            ],
            options={"verbose_name_plural": "media", "ordering": ["pk"]},
        ),
        migrations.AddField(
            model_name="variant",
            name="media",
            field=models.ManyToManyField(
                blank=True, related_name="variants", to="publishing.media"
            ),
        ),
        migrations.CreateModel(
            name="DraftFeed",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.URLField(max_length=500)),
                ("cursor", models.TextField(blank=True)),
                ("last_checked", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "accounts",
                    models.ManyToManyField(blank=True, related_name="+", to="networks.account"),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.workspace",
                    ),
                ),
            ],
            options={"ordering": ["pk"]},
        ),
        migrations.AddConstraint(
            model_name="draftfeed",
            constraint=models.UniqueConstraint(
                fields=("workspace", "url"), name="one_draft_feed_per_url"
            ),
        ),
        migrations.AddConstraint(
            model_name="post",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source_url", ""), _negated=True),
                fields=("workspace", "source_url"),
                name="one_post_per_source",
            ),
        ),
    ]
