"""The composer's "Add to queue" (each account's next free slot) and image uploads:
read by Pillow, kept once, attached to every chosen account, alt text required."""

from __future__ import annotations

import io
from datetime import time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from harken.publishing.models import Media, Post, QueueSlot, Variant
from harken.publishing.states import State
from tests.publishing.compose.test_views import URL, form, future

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def image(kind: str = "PNG", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, kind)
    return SimpleUploadedFile("photo.bin", out.getvalue(), content_type="application/octet-stream")


def test_add_to_queue_takes_each_accounts_next_free_slot(alice_client, workspace, x_account):
    tomorrow = (timezone.now() + timedelta(days=1)).date()
    QueueSlot.objects.create(
        workspace=workspace, account=x_account, weekday=tomorrow.weekday(), time=time(9, 30)
    )
    response = alice_client.post(URL, form(x_account, action="queue"))
    assert response.status_code == 302
    variant = Variant.objects.get()
    assert variant.state == State.SCHEDULED
    local = variant.scheduled_at.astimezone(timezone.get_default_timezone())
    assert (local.date(), local.time()) == (tomorrow, time(9, 30))


def test_add_to_queue_without_slots_says_so_and_saves_nothing(alice_client, x_account):
    alice_client.post(URL, form(x_account, action="queue"))
    assert not Post.objects.exists()
    assert "has no queue slots yet" in alice_client.get(URL).content.decode()


def test_an_image_is_read_kept_once_and_attached_to_every_account(
    alice_client, x_account, sky_account
):
    data = form(sky_account, x_account, image=image(), image_alt="A silver chain on slate.")
    alice_client.post(URL, data)
    media = Media.objects.get()
    assert (media.content_type, media.width, media.height) == ("image/png", 64, 48)
    assert media.file.name.endswith(".png") and "photo" not in media.file.name
    assert all(list(v.media.all()) == [media] for v in Variant.objects.all())
    served = alice_client.get(f"{URL}media/{media.pk}/")
    assert served["Content-Type"] == "image/png"


def test_a_file_that_is_not_an_image_is_refused(alice_client, x_account):
    fake = SimpleUploadedFile("ring.png", b"<svg onload=alert(1)>", content_type="image/png")
    alice_client.post(URL, form(x_account, image=fake))
    assert not Media.objects.exists() and not Post.objects.exists()
    assert "ring.png is not an image Harken can read." in alice_client.get(URL).content.decode()


def test_an_image_without_alt_text_cannot_be_scheduled(alice_client, sky_account):
    alice_client.post(URL, form(sky_account, action="schedule", at=future(), image=image()))
    assert not Post.objects.exists() and not Media.objects.exists()
    page = alice_client.get(URL).content.decode()
    assert "Image 1 has no alt text; describe it for people who cannot see it." in page


def test_a_network_without_image_support_says_so(alice_client, workspace):
    from harken.networks.models import Account

    tiktok = Account.objects.create(workspace=workspace, network="tiktok", handle="@harbor")
    data = form(tiktok, action="schedule", at=future(), image=image(), image_alt="A ring.")
    alice_client.post(URL, data)
    page = alice_client.get(URL).content.decode()
    assert "Harken cannot post images to TikTok yet; remove them." in page


def test_another_workspaces_image_is_not_served(alice_client, charlie_client, x_account):
    alice_client.post(URL, form(x_account, image=image(), image_alt="A ring."))
    media = Media.objects.get()
    assert charlie_client.get(f"{URL}media/{media.pk}/").status_code == 404


def test_a_refused_post_keeps_no_upload_and_no_alt_text_change(alice_client, sky_account, tmp_path):
    alice_client.post(URL, form(sky_account, image=image(), image_alt="A ring."))
    post, media = Post.objects.get(), Media.objects.get()
    data = form(sky_account, action="schedule", text="x" * 400, at=future())
    data[f"alt_{media.pk}"] = "Changed while the post was refused."
    data[f"media_{sky_account.pk}"] = [str(media.pk)]
    data["image"], data["image_alt"] = image(), "Another ring."
    alice_client.post(f"{URL}{post.pk}/", data)
    media.refresh_from_db()
    assert media.alt_text == "A ring." and Media.objects.count() == 1
    assert len(list(tmp_path.rglob("*.png"))) == 1  # the refused upload left no file


def test_a_signed_public_address_serves_the_image_without_login_until_it_expires(
    alice_client, client, x_account, monkeypatch
):
    from harken.publishing.compose import media as media_files
    from harken.publishing.engine import attachments

    alice_client.post(URL, form(x_account, image=image(), image_alt="A ring."))
    item = Media.objects.get()
    options = attachments(Variant.objects.get())
    (address,) = options["image_urls"]
    assert options["media"][0].alt == "A ring."
    path = address.removeprefix(settings_base())
    served = client.get(path)  # no one is logged in
    assert (
        served.status_code == 200 and b"".join(served.streaming_content) == item.file.open().read()
    )
    assert client.get(path[:-3] + "xyz/").status_code == 404  # a forged token
    monkeypatch.setattr(media_files, "PUBLIC_FOR", timedelta(seconds=-1))
    assert client.get(path).status_code == 404  # expired


def settings_base() -> str:
    from django.conf import settings

    return settings.BASE_URL


def test_instagram_needs_an_image_of_its_shape(alice_client, workspace):
    from harken.networks.models import Account

    insta = Account.objects.create(workspace=workspace, network="instagram", handle="harborjewel")
    alice_client.post(URL, form(insta, action="schedule", at=future()))
    assert "A post on Instagram needs an image; add one." in alice_client.get(URL).content.decode()
    tall = form(
        insta, action="schedule", at=future(), image=image("JPEG", (40, 100)), image_alt="A ring."
    )
    alice_client.post(URL, tall)
    page = alice_client.get(URL).content.decode()
    assert (
        "Image 1 is 40×100; Instagram takes width to height between 0.8 and 1.91. Crop it." in page
    )


def test_threads_images_need_harken_on_public_https(alice_client, workspace, settings):
    """Threads fetches images from Harken's own address: scheduling says so up front."""
    from harken.networks.models import Account

    profile = Account.objects.create(workspace=workspace, network="threads", handle="@harbor")
    data = form(profile, action="schedule", at=future(), image=image("JPEG"), image_alt="A ring.")
    settings.BASE_URL = "http://127.0.0.1:8000"
    alice_client.post(URL, data)
    assert "is not public HTTPS. Set HARKEN_BASE_URL" in alice_client.get(URL).content.decode()
    assert not Post.objects.exists()
    settings.BASE_URL = "https://harken.harbor.example"
    data["image"] = image("JPEG")
    alice_client.post(URL, data)
    assert Variant.objects.get().state == State.SCHEDULED
