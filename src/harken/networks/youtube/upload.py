"""Publishing a video to YouTube by resumable upload
(developers.google.com/youtube/v3/guides/using_resumable_upload_protocol), and finding
it again after a crash.

1. ``POST {upload}/videos?uploadType=resumable&part=snippet,status`` with the video's
   metadata as JSON and ``X-Upload-Content-Length`` / ``-Type``: YouTube answers with the
   session's address in ``Location``.
2. ``PUT`` the bytes there: 200/201 with the video resource.
3. When the PUT fails on the way (a 5xx, a dropped connection), ask the session how much
   it holds (``PUT`` with ``Content-Range: bytes */SIZE``: 308 and a ``Range`` header)
   and send the rest, ``RESUMES`` times at most.

The session address must be on the upload host Harken started on: an answer cannot send
the bytes elsewhere. The upload is counted as one of the day's uploads before step 1.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from harken.networks.base import ConnectorError, MediaFile, Published
from harken.networks.youtube import api

if TYPE_CHECKING:
    from harken.networks.youtube.connector import YouTube

RESUMES = 3
PRIVACY = frozenset({"public", "unlisted", "private"})
MAX_TAGS_CHARS = 500  # YouTube's limit on all tags together


def check_video(
    connector: YouTube, text: str, options: dict[str, Any]
) -> tuple[MediaFile, dict[str, Any]]:
    """The video and its metadata, or a rejection in words for a person."""
    video = options.get("video")
    if not isinstance(video, MediaFile) or not video.content_type.startswith("video/"):
        raise ConnectorError("A YouTube post needs a video file.", rejected=True)
    if not video.data:
        raise ConnectorError("The video file is empty.", rejected=True)
    title = str(options.get("title") or "").strip() or (text.strip().splitlines() or [""])[0]
    if not title:
        raise ConnectorError("A YouTube video needs a title.", rejected=True)
    if len(title) > connector.title_max_chars or any(c in title for c in "<>"):
        raise ConnectorError(
            f"A YouTube title holds at most {connector.title_max_chars} characters and no < or >.",
            rejected=True,
        )
    if len(text) > (connector.max_chars or 0) or any(c in text for c in "<>"):
        raise ConnectorError(
            f"A YouTube description holds at most {connector.max_chars} characters and no < or >.",
            rejected=True,
        )
    tags = [str(t).strip() for t in options.get("tags") or [] if str(t).strip()]
    if sum(len(t) + 1 for t in tags) > MAX_TAGS_CHARS:
        raise ConnectorError(
            f"YouTube takes at most {MAX_TAGS_CHARS} characters of tags.", rejected=True
        )
    privacy = str(options.get("privacy") or "public")
    if privacy not in PRIVACY:
        raise ConnectorError(f"YouTube has no privacy “{privacy}”.", rejected=True)
    meta = {
        "snippet": {"title": title, "description": text, "tags": tags},
        "status": {"privacyStatus": privacy, "selfDeclaredMadeForKids": False},
    }
    return video, meta


def publish_video(connector: YouTube, text: str, options: dict[str, Any]) -> Published:
    video, meta = check_video(connector, text, options)
    client = connector.client
    start = client.send(
        "POST",
        f"{api.upload_url()}/videos",
        1,
        params={"uploadType": "resumable", "part": "snippet,status"},
        json=meta,
        headers={
            "X-Upload-Content-Length": str(len(video.data)),
            "X-Upload-Content-Type": video.content_type,
        },
        upload=True,
    )
    client.answer(start, write=True)
    session = _session(start.headers.get("location", ""))
    made = _send_bytes(client, session, video)
    video_id = str(made["id"])
    return Published(external_id=video_id, url=f"https://www.youtube.com/watch?v={video_id}")


def _session(location: str) -> str:
    ours = urlsplit(api.upload_url())
    there = urlsplit(location)
    if (there.scheme, there.netloc) != (ours.scheme, ours.netloc):
        raise ConnectorError("YouTube did not open an upload session; try again later.")
    return location


def _send_bytes(client: api.Client, session: str, video: MediaFile) -> dict[str, Any]:
    size = len(video.data)
    offset = 0
    for _ in range(RESUMES + 1):
        headers = {"Content-Type": video.content_type}
        if offset:
            headers["Content-Range"] = f"bytes {offset}-{size - 1}/{size}"
        try:
            sent = client.send(
                "PUT",
                session,
                0,
                content=video.data[offset:],
                headers=headers,
                upload=True,
                charge=False,
            )
        except ConnectorError as error:
            if error.permanent:
                raise
        else:
            if sent.status_code in (200, 201):
                return client.answer(sent, write=True)
            if sent.status_code < 500:
                client.answer(sent, write=True)  # raises YouTube's refusal
        offset = _held(client, session, size)
        if offset >= size:
            raise ConnectorError(
                "YouTube holds the whole video but did not say so; check the channel."
            )
    raise ConnectorError("YouTube kept failing to take the video; Harken tries again later.")


def _held(client: api.Client, session: str, size: int) -> int:
    """How many bytes the session holds (``Range: bytes=0-N`` on a 308)."""
    asked = client.send(
        "PUT",
        session,
        0,
        content=b"",
        headers={"Content-Range": f"bytes */{size}"},
        upload=True,
        charge=False,
    )
    if asked.status_code in (200, 201):
        return size
    if asked.status_code != 308:
        client.answer(asked, write=True)
        raise ConnectorError(
            f"YouTube's upload session answered {asked.status_code}; try again later."
        )
    held = asked.headers.get("range", "")
    return int(held.rsplit("-", 1)[1]) + 1 if held.startswith("bytes=") else 0


def find_video(connector: YouTube, text: str, since: datetime) -> Published | None:
    from harken.networks.youtube.connector import parse_time

    client = connector.client
    channel = client.get("channels", part="contentDetails", id=connector.channel_id)
    details = ((channel.get("items") or [{}])[0] or {}).get("contentDetails") or {}
    playlist = str((details.get("relatedPlaylists") or {}).get("uploads") or "")
    if not playlist:
        return None
    wanted = " ".join(text.split())
    body = client.get("playlistItems", part="snippet", playlistId=playlist, maxResults=50)
    for item in body.get("items") or []:
        snippet = item.get("snippet") or {}
        if parse_time(str(snippet.get("publishedAt"))) < since:
            continue
        said = {" ".join(str(snippet.get(k) or "").split()) for k in ("description", "title")}
        if wanted in said:
            video = str((snippet.get("resourceId") or {}).get("videoId") or "")
            if video:
                return Published(external_id=video, url=f"https://www.youtube.com/watch?v={video}")
    return None
