"""Images and videos for a post: uploaded once, checked, attached to chosen variants.

An upload is read before anything is kept: an image by Pillow (its real type, not the
name's or the browser's claim, its size and its dimensions), a video from its own header
(``compose.video``: MP4, QuickTime or WebM, with an MP4's dimensions and duration). What
each network takes (how many images or videos, how large, how long, which types) is its
connector's class data, checked when a variant is scheduled, with the alt text every
image needs unless the person says it needs none (a video's description is optional).
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
from harken.publishing.compose.video import VideoInfo, sniff
from harken.publishing.models import Media, Post
from harken.publishing.validation import Problem

#: The largest upload kept at all (a network's own limit is checked when scheduling).
MAX_UPLOAD = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
#: The largest video kept (``HARKEN_MAX_VIDEO_UPLOAD`` in bytes): the engine hands a
#: video's bytes to the connector whole, so this bounds a worker's memory too.
MAX_VIDEO_UPLOAD = 256 * 1024 * 1024


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


def max_video_upload() -> int:
    return int(getattr(settings, "HARKEN_MAX_VIDEO_UPLOAD", MAX_VIDEO_UPLOAD))


def inspect_video(upload: UploadedFile) -> VideoInfo | None:
    """What video ``upload`` is, or None when it is not one; ``Unusable`` when too large."""
    found = sniff(upload)
    if found is None:
        return None
    limit = max_video_upload()
    if upload.size is None or upload.size > limit:
        raise Unusable(f"{upload.name} is larger than {limit // (1024 * 1024)} MB.")
    return found


def receive(request: WorkspaceRequest, composed: Any) -> list[Media]:
    """Keep the image or video uploaded with the form (if any), attached to every chosen
    account; update the alt text of the post's media. Returns the new rows."""
    for item in scoped(request, Media).filter(pk__in=_ids(request.POST.keys(), "alt_")):
        alt = request.POST.get(f"alt_{item.pk}", "").strip()[:1500]
        not_needed = request.POST.get(f"alt_none_{item.pk}") == "on"
        if (alt, not_needed) != (item.alt_text, item.alt_not_needed):
            item.alt_text, item.alt_not_needed = alt, not_needed
            item.save(update_fields=["alt_text", "alt_not_needed"])
    upload = request.FILES.get("image")
    if upload is None:
        return []
    video = inspect_video(upload)
    if video is not None:
        content_type, width, height = video.content_type, video.width, video.height
    else:
        content_type, width, height = inspect(upload)
    made = Media.objects.create(
        workspace=request.workspace,
        file=upload,
        content_type=content_type,
        size=upload.size or 0,
        width=width,
        height=height,
        duration=video.duration if video else None,
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
    """The network's rules on images and videos (count, size, type, length) and the alt
    text rule."""
    if variant.pk is None:
        return []
    attached = list(variant.media.all())
    cls = connector_class(variant.account.network)
    label = network_label(variant.account.network)
    videos = [item for item in attached if item.is_video]
    images = [item for item in attached if not item.is_video]
    if not attached:
        if cls.needs_media:
            wanted = "an image" if cls.max_images else "a video"
            return [Problem("media", f"A post on {label} needs {wanted}; add one.")]
        return []
    problems = check_videos(cls, label, videos)
    if videos and images:
        problems.append(
            Problem("media", f"A {label} post carries a video or images, not both; remove one.")
        )
    if not images:
        return problems
    if not cls.max_images:
        return [
            *problems,
            Problem("media", f"Harken cannot post images to {label} yet; remove them."),
        ]
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
                f"{label} takes at most {cls.max_images} "
                f"{'image' if cls.max_images == 1 else 'images'}; "
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


def check_videos(cls: Any, label: str, videos: list[Media]) -> list[Problem]:
    """The network's rules on videos: whether it takes them, how many, which types, how
    large and how long (when the video's header said its length)."""
    if not videos:
        return []
    if not cls.max_videos:
        return [Problem("media", f"Harken cannot post videos to {label} yet; remove them.")]
    problems = []
    if len(videos) > cls.max_videos:
        problems.append(
            Problem(
                "media",
                f"{label} takes at most {cls.max_videos} video; "
                f"remove {len(videos) - cls.max_videos}.",
            )
        )
    for n, item in enumerate(videos, start=1):
        if item.content_type not in cls.video_types:
            problems.append(
                Problem("media", f"{label} does not take {item.content_type} videos (video {n}).")
            )
        if cls.max_video_bytes and item.size > cls.max_video_bytes:
            problems.append(
                Problem(
                    "media",
                    f"Video {n} is {item.size / 1_000_000:.1f} MB; "
                    f"{label} takes at most {cls.max_video_bytes / 1_000_000:g} MB.",
                )
            )
        if cls.max_video_seconds and item.duration and item.duration > cls.max_video_seconds:
            problems.append(
                Problem(
                    "media",
                    f"Video {n} lasts {item.duration:.0f} s; {label} takes at most "
                    f"{cls.max_video_seconds:g} s. Trim it.",
                )
            )
    return problems
