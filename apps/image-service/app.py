"""A Pl@ntNet-like image identification service for e2ctwin's live testbed (scenarios/image-service.yaml).

POST /identify takes what `e2ctwin drive` sends (the reference engine's API):
    {"request": <id>, "items": [{"url": "http://<client>:<port>/img/<id>/<i>?bytes=N"}, ...], "pad": "..."}
and, for each item in turn, downloads the image from the client (a fresh HTTP connection, as a service
fetching a user's picture does), decodes it with Pillow, resizes it to 224×224 and computes a feature
vector, then answers JSON. The bytes after the picture's end marker (the driver pads an image to the
item size) are downloaded but ignored by the decoder.

The features are real CPU work of two kinds, on purpose: Pillow's C code (decode, resize, the filter
passes) and a pass in pure Python over the pixels (a gradient-orientation histogram). The pure-Python
part holds the GIL, so the threads of one gunicorn gthread worker cannot run it at once — the mechanism
the app model (models/apps/image-service.yaml) represents with one CPU slot per worker process.

Run by gunicorn (Debian's python3, which has Flask and PIL):
    gunicorn --workers 2 --threads 1 app:app        # sync workers: one request at a time each
    gunicorn --workers 2 --threads 4 app:app        # gthread workers: 4 requests at a time each
"""

import math
import time
import urllib.request
from io import BytesIO

from flask import Flask, jsonify, request
from PIL import Image, ImageFilter

app = Flask(__name__)

SIZE = 224
# The "convolution layers": fixed 3×3 and 5×5 kernels in the spirit of a CNN's first layers.
KERNELS = [
    ImageFilter.Kernel((3, 3), [-1, -1, -1, -1, 8, -1, -1, -1, -1], scale=1),
    ImageFilter.Kernel((3, 3), [1, 2, 1, 0, 0, 0, -1, -2, -1], scale=1, offset=128),
    ImageFilter.Kernel((3, 3), [1, 0, -1, 2, 0, -2, 1, 0, -1], scale=1, offset=128),
    ImageFilter.Kernel((5, 5), [1] * 25, scale=25),
]
ORIENTATIONS = 9
DOWNLOAD_TIMEOUT_S = 30


def download(url):
    """The item's bytes, over a new connection (urllib does not keep connections alive)."""
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as r:
        return r.read()


def gradient_histogram(gray):
    """Histogram of gradient orientations weighted by magnitude, in pure Python (holds the GIL)."""
    px = gray.tobytes()
    w = gray.width
    hist = [0.0] * ORIENTATIONS
    for y in range(1, gray.height - 1):
        row = y * w
        for x in range(1, w - 1):
            i = row + x
            gx = px[i + 1] - px[i - 1]
            gy = px[i + w] - px[i - w]
            if gx or gy:
                angle = math.atan2(gy, gx) % math.pi
                hist[min(ORIENTATIONS - 1, int(angle / math.pi * ORIENTATIONS))] += math.hypot(gx, gy)
    total = sum(hist) or 1.0
    return [h / total for h in hist]


def features(data):
    """Decode, resize and describe one picture: colour histograms, filter responses, gradient orientations."""
    img = Image.open(BytesIO(data))
    # JPEG's DCT scaling decodes at the smallest 1/2, 1/4 or 1/8 of the size still ≥ 224×224 (as services do
    # to save time); the decode is C code that releases the GIL.
    img.draft("RGB", (SIZE, SIZE))
    img = img.convert("RGB").resize((SIZE, SIZE), Image.BILINEAR)
    colour = img.histogram()  # 3 × 256 bins
    coarse = [sum(colour[i : i + 32]) / (SIZE * SIZE) for i in range(0, len(colour), 32)]
    gray = img.convert("L")
    responses = []
    layer = gray
    for k in KERNELS:
        layer = layer.filter(k)
        h = layer.histogram()
        responses.append(sum(i * n for i, n in enumerate(h)) / (SIZE * SIZE * 255))
    # Gradient orientations per colour channel: the pure-Python part, most of the CPU time (holds the GIL).
    return coarse + responses + [h for band in img.split() for h in gradient_histogram(band)]


@app.get("/health")
def health():
    return "ok\n"


@app.post("/identify")
def identify():
    body = request.get_json(force=True)
    items = body.get("items") or []
    t0 = time.perf_counter()
    vectors, downloaded = [], 0
    for item in items:
        data = download(item["url"])
        downloaded += len(data)
        vectors.append(features(data))
    # The "species ranking": the closest of a few fixed prototypes, so the answer depends on the picture.
    score = [sum(v) for v in vectors]
    return jsonify(
        request=body.get("request"),
        images=len(items),
        bytes=downloaded,
        features=vectors,
        score=score,
        seconds=round(time.perf_counter() - t0, 6),
    )
