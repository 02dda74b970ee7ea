"""Images for a post: uploaded once, checked with Pillow, attached to chosen variants.

An upload is read by Pillow before anything is kept: its real type (not the name's or
the browser's claim), its size and its dimensions. What each network takes (how many
images, how large, which types) is its connector's class data, checked when a variant is
scheduled, with the alt text every image needs unless the person says it needs none.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.urls import reverse
from PIL import Image, UnidentifiedImageError

from harken.core.access import WorkspaceRequest, scoped
from harken.networks.registry import connector_class, network_label
from harken.publishing.models import Media, Post
from harken.publishing.validation import Problem

#: The largest upload kept at all (a network's own limit is checked when scheduling).
MAX_UPLOAD = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


#: How long an image's public address works: long enough for a network that fetches the
#: image itself (Facebook, Instagram) to do so while the post is being published.
PUBLIC_FOR = timedelta(hours=1)
_SALT = "harken.publishing.media"


def public_url(item: Media) -> str:
    """A signed, expiring address of ``item`` that needs no login, for networks that fetch
    images by URL; anyone holding it may see the image until it expires."""
    token = signing.dumps(item.pk, salt=_SALT)
    return f"{settings.BASE_URL}{reverse('compose_public_media', args=[token])}"


def from_public_token(token: str) -> int | None:
    """The image id a public address names, or None when forged or expired."""
    try:
        return int(signing.loads(token, salt=_SALT, max_age=PUBLIC_FOR))
    except (signing.BadSignature, ValueError, TypeError):
        return None


class Unusable(ValueError):
    """An upload Harken will not keep, in words for the person."""


def inspect(upload: UploadedFile) -> tuple[str, int, int]:
    """(content type, width, height) as Pillow reads the file, or ``Unusable``."""
    if upload.size is None or upload.size > MAX_UPLOAD:
        raise Unusable(f"{upload.name} is larger than {MAX_UPLOAD // (1024 * 1024)} MB.")
    try:
        with Image.open(upload) as image:
            kind = image.format or ""
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Unusable(f"{upload.name} has too many pixels ({width}×{height}).")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise Unusable(f"{upload.name} is not an image Harken can read.") from None
    if kind not in TYPES:
        raise Unusable(f"{upload.name} is a {kind or 'file'}; use JPEG, PNG, GIF or WebP.")
    upload.seek(0)
    return TYPES[kind], width, height


def receive(request: WorkspaceRequest, composed: Any) -> list[Media]:
    """Keep the image uploaded with the form (if any), attached to every chosen account;
    update the alt text of the post's images. Returns the new rows."""
    for item in scoped(request, Media).filter(pk__in=_ids(request.POST.keys(), "alt_")):
        alt = request.POST.get(f"alt_{item.pk}", "").strip()[:1500]
        not_needed = request.POST.get(f"alt_none_{item.pk}") == "on"
        if (alt, not_needed) != (item.alt_text, item.alt_not_needed):
            item.alt_text, item.alt_not_needed = alt, not_needed
            item.save(update_fields=["alt_text", "alt_not_needed"])
    upload = request.FILES.get("image")
    if upload is None:
        return []
    content_type, width, height = inspect(upload)
    made = Media.objects.create(
        workspace=request.workspace,
        file=upload,
        content_type=content_type,
        size=upload.size or 0,
        width=width,
        height=height,
        alt_text=request.POST.get("image_alt", "").strip()[:1500],
        alt_not_needed=request.POST.get("image_alt_none") == "on",
        uploaded_by=request.member,
    )
    for account in composed.accounts:
        composed.media.setdefault(account.pk, []).append(made)
    return [made]


def _ids(keys: Any, prefix: str) -> list[int]:
    return [
        int(k[len(prefix) :]) for k in keys if k.startswith(prefix) and k[len(prefix) :].isdigit()
    ]


def for_post(request: WorkspaceRequest, post: Post | None) -> QuerySet[Media]:
    """The images attached to any of ``post``'s variants."""
    if post is None:
        return scoped(request, Media).none()
    return scoped(request, Media).filter(variants__post=post).distinct()


def check_media(variant: Any) -> list[Problem]:
    """The network's rules on images (count, size, type) and the alt text rule."""
    if variant.pk is None:
        return []
    images = list(variant.media.all())
    cls = connector_class(variant.account.network)
    label = network_label(variant.account.network)
    if not images:
        if cls.needs_media:
            return [Problem("media", f"A post on {label} needs an image; add one.")]
        return []
    if not cls.max_images:
        return [Problem("media", f"Harken cannot post images to {label} yet; remove them.")]
    problems = []
    # A network that fetches images from Harken's own address (Threads) needs that
    # address public: said when scheduling, not at publishing time.
    fetched_from = getattr(cls, "image_url_problem", None)
    unreachable = fetched_from([f"{settings.BASE_URL}/"]) if fetched_from else ""
    if unreachable:
        problems.append(Problem("media", unreachable))
    if len(images) > cls.max_images:
        problems.append(
            Problem(
                "media",
                f"{label} takes at most {cls.max_images} images; "
                f"remove {len(images) - cls.max_images}.",
            )
        )
    for n, item in enumerate(images, start=1):
        if item.content_type not in cls.image_types:
            problems.append(
                Problem("media", f"{label} does not take {item.content_type} images (image {n}).")
            )
        if cls.max_image_bytes and item.size > cls.max_image_bytes:
            limit = cls.max_image_bytes / 1_000_000
            problems.append(
                Problem(
                    "media",
                    f"Image {n} is {item.size / 1_000_000:.1f} MB; "
                    f"{label} takes at most {limit:g} MB.",
                )
            )
        ratios = getattr(cls, "aspect_ratios", None)
        if ratios and not ratios[0] <= item.width / item.height <= ratios[1]:
            problems.append(
                Problem(
                    "media",
                    f"Image {n} is {item.width}×{item.height}; {label} takes width to height "
                    f"between {ratios[0]:g} and {ratios[1]:g}. Crop it.",
                )
            )
        if not item.alt_text.strip() and not item.alt_not_needed:
            problems.append(
                Problem(
                    "alt_text",
                    f"Image {n} has no alt text; describe it for people who cannot see it.",
                )
            )
    return problems
