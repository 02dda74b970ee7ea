"""What an uploaded video is, read from its own bytes: never the name's or the browser's
claim.

MP4 and QuickTime files are ISO base media files: a list of boxes (size, type, body),
the first an ``ftyp`` naming the brand. Their ``moov`` box holds ``mvhd`` (the timescale
and the duration in its units) and a ``tkhd`` per track (a video track's width and
height, 16.16 fixed point), so the length and dimensions cost a few small reads even when
``moov`` sits after gigabytes of ``mdat``: boxes are skipped by seeking, never read.
WebM is recognised by its EBML header; its duration needs a real demuxer and stays
unknown (None), which the networks' checks accept.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import IO

#: Brands of audio-only or image files in the same box format: not videos.
NOT_VIDEO = frozenset({b"M4A ", b"M4B ", b"M4P ", b"heic", b"heix", b"mif1", b"msf1", b"avif"})
#: Boxes opened on the way to ``mvhd`` and ``tkhd``; every other box is skipped.
CONTAINERS = frozenset({b"moov", b"trak"})
#: How many boxes are looked at in all, so a crafted file cannot keep the reader busy.
MAX_BOXES = 10_000


@dataclass(frozen=True)
class VideoInfo:
    content_type: str
    width: int = 0
    height: int = 0
    duration: float | None = None


def sniff(handle: IO[bytes]) -> VideoInfo | None:
    """The video ``handle`` holds (position left at 0), or None when it is not one."""
    handle.seek(0)
    head = handle.read(64)
    handle.seek(0)
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return VideoInfo("video/webm") if b"webm" in head else None
    if head[4:8] != b"ftyp" or head[8:12] in NOT_VIDEO:
        return None
    kind = "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    try:
        found = _read_boxes(handle, 0, None, {}, [0])
    except (struct.error, ValueError):
        found = {}
    finally:
        handle.seek(0)
    return VideoInfo(
        kind,
        width=int(found.get("width", 0)),
        height=int(found.get("height", 0)),
        duration=found.get("duration"),
    )


def _read_boxes(
    handle: IO[bytes], start: int, end: int | None, found: dict[str, float], seen: list[int]
) -> dict[str, float]:
    at = start
    while end is None or at + 8 <= end:
        seen[0] += 1
        if seen[0] > MAX_BOXES:
            break
        handle.seek(at)
        header = handle.read(8)
        if len(header) < 8:
            break
        size, kind = struct.unpack(">I4s", header)
        body = at + 8
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
            body += 8
        # A size of 0 runs to the end of the enclosing box (or of the file).
        box_end = end if size == 0 else at + size
        if box_end is not None and box_end < body:
            break
        if kind in CONTAINERS:
            _read_boxes(handle, body, box_end, found, seen)
        elif kind == b"mvhd":
            _mvhd(handle.read(32), found)
        elif kind == b"tkhd" and not found.get("width"):
            _tkhd(handle.read(96), found)
        if "duration" in found and found.get("width"):
            break
        if box_end is None:
            break
        at = box_end
    return found


def _mvhd(data: bytes, found: dict[str, float]) -> None:
    version = data[0]
    if version == 1:
        timescale, duration = struct.unpack(">IQ", data[20:32])
    else:
        timescale, duration = struct.unpack(">II", data[12:20])
    if timescale:
        found["duration"] = duration / timescale


def _tkhd(data: bytes, found: dict[str, float]) -> None:
    # The width and height are the box's last eight bytes: after 4 (version, flags),
    # the times, track id and duration (20 bytes, or 32 in version 1), 8 reserved,
    # 8 of layer, group, volume and reserved, and a 36-byte matrix.
    offset = 4 + (32 if data[0] == 1 else 20) + 8 + 8 + 36
    width, height = struct.unpack(">II", data[offset : offset + 8])
    if width and height:
        found["width"], found["height"] = width >> 16, height >> 16
