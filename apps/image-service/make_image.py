"""Writes a photo-like test picture (1024×768 JPEG) for the image service's clients to send.

Deterministic (fixed seed, no clock): the same bytes on every run with the same Pillow, so the twin's item
size (models/apps/image-service.yaml) stays an upper bound of the file. Usage: python3 make_image.py OUT.jpg
"""

import random
import sys

from PIL import Image, ImageDraw, ImageFilter

W, H = 1024, 768
rng = random.Random(24)
# A sky-to-ground gradient, then leaf-like ellipses of greens and browns, then sensor-like noise.
img = Image.new("RGB", (W, H))
draw = ImageDraw.Draw(img)
for y in range(H):
    t = y / H
    draw.line([(0, y), (W, y)], fill=(int(120 + 60 * t), int(170 - 40 * t), int(220 - 150 * t)))
for _ in range(400):
    x, y = rng.randrange(W), rng.randrange(H)
    rx, ry = rng.randrange(8, 90), rng.randrange(4, 40)
    colour = (rng.randrange(20, 120), rng.randrange(80, 200), rng.randrange(10, 90))
    draw.ellipse([x - rx, y - ry, x + rx, y + ry], fill=colour)
img = img.filter(ImageFilter.GaussianBlur(1.5))
noise = Image.frombytes("L", (W, H), bytes(rng.randrange(256) for _ in range(W * H)))
img = Image.blend(img, Image.merge("RGB", (noise, noise, noise)), 0.12)
img.save(sys.argv[1], "JPEG", quality=88)
