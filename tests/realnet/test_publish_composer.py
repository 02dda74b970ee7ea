"""The composer's threads, first comments and images, against Bluesky's own PDS: the
image goes up as a blob with its alt text, each reply goes out once in the right place
of the thread under the record key its own idempotency key gives, and a crash after a
reply went out does not post it again."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from harken.networks.bluesky.connector import tid_for
from harken.publishing.compose.threads import part_key
from harken.publishing.engine import LEASE, do_publish_due
from harken.publishing.models import Media, Variant
from harken.publishing.states import State
from tests.realnet.harken import connect_with_app_password
from tests.realnet.test_publish import posts_under, variant_for

STORY = " ".join(
    f"Chapter {n}: how a ring is cast, filed and polished in our workshop by hand."
    for n in range(8)
)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (212, 175, 55)).save(out, "PNG")
    return out.getvalue()


def test_a_thread_with_an_image_and_a_first_comment_goes_out_once(
    realnet, workspace, alice, alice_client, alice_on, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    account = connect_with_app_password(alice_client, realnet, alice_on)
    variant = variant_for(account, alice, STORY)
    variant.thread, variant.numbered = True, True
    variant.first_comment = "Questions about sizes? Ask us here."
    variant.save()
    data = png()
    media = Media.objects.create(
        workspace=workspace,
        file=SimpleUploadedFile("ring.png", data),
        content_type="image/png",
        size=len(data),
        width=120,
        height=80,
        alt_text="A gold ring on the workbench.",
    )
    variant.media.add(media)
    now = timezone.now()
    Variant.objects.filter(pk=variant.pk).update(state=State.SCHEDULED, scheduled_at=now)
    before = len(alice_on.records())

    report = do_publish_due(now)
    variant.refresh_from_db()
    assert report.published == [variant.pk], (report, variant.state, variant.error)
    assert variant.state == State.PUBLISHED, variant.error
    assert len(variant.parts) == 3  # two more parts of the thread and the comment
    assert len(alice_on.records()) == before + 4

    key = str(variant.idempotency_key)
    (main,) = posts_under(alice_on, tid_for(key))
    assert main.value.text.endswith(" 1/3")
    (image,) = main.value.embed.images
    assert image.alt == "A gold ring on the workbench."
    parts = [posts_under(alice_on, tid_for(part_key(key, n)))[0] for n in (1, 2, 3)]
    assert [p.uri for p in parts] == variant.parts
    assert parts[0].value.text.endswith(" 2/3") and parts[1].value.text.endswith(" 3/3")
    assert parts[2].value.text == "Questions about sizes? Ask us here."
    parents = [p.value.reply.parent.uri for p in parts]
    assert parents == [main.uri, parts[0].uri, main.uri]
    assert {p.value.reply.root.uri for p in parts} == {main.uri}

    # A crash right after the comment went out, before its id was saved: the lease runs
    # out, the next tick finds the comment under its record key and posts nothing again.
    Variant.objects.filter(pk=variant.pk).update(
        state=State.PUBLISHING, parts=variant.parts[:2], claimed_at=now
    )
    report = do_publish_due(now + LEASE + timedelta(seconds=1))
    variant.refresh_from_db()
    assert report.reconciled == [variant.pk] and variant.state == State.PUBLISHED
    assert variant.parts[2] == parts[2].uri
    assert len(alice_on.records()) == before + 4
