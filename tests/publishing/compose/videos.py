"""Small video files built box by box, as an encoder writes them: an ``ftyp``, the media
data, then a ``moov`` with the movie's header (timescale, duration) and a video track's
header (width, height). No encoder is installed here; the composer reads only the boxes."""

from __future__ import annotations

import struct

from django.core.files.uploadedfile import SimpleUploadedFile


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def mp4(
    seconds: float = 12.0,
    size: tuple[int, int] = (1280, 720),
    brand: bytes = b"isom",
    data: bytes = b"\x00" * 4096,
) -> bytes:
    timescale = 1000
    mvhd = struct.pack(">4xIIII", 0, 0, timescale, int(seconds * timescale)) + b"\x00" * 80
    width, height = size
    tkhd = (
        struct.pack(">4xIIIII", 0, 0, 1, 0, int(seconds * timescale))
        + b"\x00" * 16
        + b"\x00" * 36
        + struct.pack(">II", width << 16, height << 16)
    )
    moov = box(b"moov", box(b"mvhd", mvhd) + box(b"trak", box(b"tkhd", tkhd)))
    # The media data first and the movie box last, as a camera writes them.
    return box(b"ftyp", brand + b"\x00\x00\x02\x00isomiso2mp41") + box(b"mdat", data) + moov


def video_upload(name: str = "clip.bin", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, mp4(**kwargs), content_type="application/octet-stream")
