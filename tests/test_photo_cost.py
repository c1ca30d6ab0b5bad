"""What the worst photo upload costs the worker that handles it: at most 1 s of CPU and
300 MB, measured in a fresh process (Pillow's buffers are C memory that tracemalloc does
not see; the process's peak resident size, VmHWM, does: unlike ru_maxrss it is not
inherited from the process that started it)."""

import io
import json
import math
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from therapists import photos

CPU_SECONDS = 1.0
MEGABYTES = 300
# Resource ceilings, not benchmarks: the worst allowed uploads measure 0.2-0.8 s and
# up to about 210 MB (a WebP) on a busy two-core machine.
ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh process: the settings, then one upload checked and resized as the photo
# view does, with the CPU time it took and how much higher it drove the resident size.
MEASURE = """
import json, sys, time
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from therapists import photos

def peak_megabytes():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

before, cpu = peak_megabytes(), time.process_time()
with open(sys.argv[1], "rb") as file:
    upload = SimpleUploadedFile("photo", file.read())
photos.webp_files(photos.square_image(upload))
print(json.dumps({"cpu": time.process_time() - cpu, "megabytes": peak_megabytes() - before}))
"""

ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2))


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def costly_png(side, bits, interlaced=False):
    """An RGBA PNG of `side` x `side` at `bits` a channel whose every row is Paeth-filtered,
    the slowest to undo, yet which squeezes into a few hundred KB."""
    squeeze = zlib.compressobj(9)
    body = []
    passes = (*ADAM7, (0, 1, 1, 2)) if interlaced else ((0, 0, 1, 1),)
    for x0, y0, dx, dy in passes:
        width, height = math.ceil((side - x0) / dx), math.ceil((side - y0) / dy)
        row_bytes = width * 4 * bits // 8
        row = b"\x04" + (bytes(range(256)) * (row_bytes // 256 + 1))[:row_bytes]
        body.extend(squeeze.compress(row) for _ in range(height))
    body.append(squeeze.flush())
    header = struct.pack(">IIBBBBB", side, side, bits, 6, 0, 0, int(interlaced))
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(body))
        + png_chunk(b"IEND", b"")
    )


def largest_side(bytes_per_sample=1):
    return math.isqrt(settings.PHOTO_MAX_PIXELS // bytes_per_sample)


def gradient(mode, side):
    grey = Image.linear_gradient("L").resize((side, side))
    bands = [grey, grey.transpose(Image.Transpose.ROTATE_90), grey.point(lambda v: 255 - v)]
    if mode == "RGBA":
        bands.append(grey.point(lambda v: 128 + v // 2))
    return Image.merge(mode, bands)


def encoded(image, kind, **options):
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    return buffer.getvalue()


def worst_uploads():
    side = largest_side()
    return {
        "PNG, RGBA, 8 bits": costly_png(side, 8),
        "PNG, RGBA, 16 bits": costly_png(largest_side(bytes_per_sample=2), 16),
        "PNG, RGBA, interlaced": costly_png(side, 8, interlaced=True),
        # Lossy costs more to decode than lossless (measured).
        "WebP, RGBA": encoded(gradient("RGBA", side), "WEBP", quality=100),
        "JPEG, progressive, no subsampling": encoded(
            gradient("RGB", side), "JPEG", quality=100, subsampling=0, progressive=True
        ),
    }


def cost_in_a_fresh_process(path):
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "directory.settings",
        "SECRET_KEY": "x",
        "EMAIL_BACKEND": "console",
        "SITE_URL": "https://example.org",
        "PHOTO_MAX_PIXELS": str(settings.PHOTO_MAX_PIXELS),
    }
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_item_4_the_worst_allowed_upload_costs_under_1_s_of_cpu_and_300_mb(tmp_path):
    for name, content in worst_uploads().items():
        assert len(content) <= settings.PHOTO_MAX_BYTES, name
        path = tmp_path / "upload"
        path.write_bytes(content)
        cost = cost_in_a_fresh_process(path)
        assert cost["cpu"] < CPU_SECONDS, (name, cost)
        assert cost["megabytes"] < MEGABYTES, (name, cost)


def refusal(content):
    with pytest.raises(photos.PhotoRefused) as refused:
        photos.square_image(SimpleUploadedFile("photo", content))
    return str(refused.value)


def test_item_4_it_refuses_the_attack_png_from_its_header_before_decoding_it():
    # The one of the attack: 7070 x 7070 RGBA, 212 KB, 1.6 GB and 6 s to take before.
    content = costly_png(7070, 8)
    assert len(content) < 1024 * 1024
    assert "too many pixels" in refusal(content)


def test_it_counts_each_pixel_of_a_16_bit_png_twice():
    assert "too many pixels" in refusal(costly_png(largest_side() - 1, 16))
    square = photos.square_image(SimpleUploadedFile("photo", costly_png(largest_side(2), 16)))
    assert square.size == (photos.MASTER_SIDE, photos.MASTER_SIDE)


def test_it_keeps_a_twelve_megapixel_phone_photo():
    content = encoded(gradient("RGB", 1).resize((4032, 3024)), "JPEG", quality=90)
    square = photos.square_image(SimpleUploadedFile("photo.jpg", content))
    assert square.size == (photos.MASTER_SIDE, photos.MASTER_SIDE)
