"""Measures what CPython's GIL hand-off costs each step of app.py when another thread of the same process
runs pure Python (models/apps/image-service.yaml, the stages' `lockReacquires`).

A thread that released the GIL (a blocking socket call, Pillow's C code) and wants it back while another
thread runs Python waits until that thread is made to drop it: the switch interval (sys.getswitchinterval(),
5 ms) per forced switch — the convoy effect. This probe times each step of a request alone and beside a
thread spinning in pure Python, and beside the same spinning in a process of its own (the same share of
the cores without a GIL shared), and prints the difference of the two in switch intervals: how many times
the step took the GIL back while a busy thread held it. The download comes from a server process of its own that
paces 300 000 bytes at 20 Mbit/s (the campaign's path), over loopback.

Usage: python3 gil_probe.py leaf.jpg [repetitions]   (make leaf.jpg with make_image.py)
"""

import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, __file__.rsplit("/", 1)[0] if "/" in __file__ else ".")
from app import KERNELS, SIZE, gradient_histogram  # noqa: E402
from io import BytesIO  # noqa: E402
from PIL import Image  # noqa: E402

BYTES = 300000
PACED_SERVER = r"""
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(16); print(s.getsockname()[1], flush=True)
body = open(sys.argv[1], "rb").read().ljust(int(sys.argv[2]), b"\0")
chunk, gap = 12500, 0.005  # 12 500 bytes every 5 ms: 20 Mbit/s
while True:
    c, _ = s.accept(); c.recv(4096)
    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
    t = time.perf_counter()
    for i in range(0, len(body), chunk):
        c.sendall(body[i:i + chunk]); t += gap
        time.sleep(max(0, t - time.perf_counter()))
    c.close()
"""


def c_part(data):
    """app.features() up to the pure-Python part: Pillow's C calls (the twin's `decode` stage)."""
    img = Image.open(BytesIO(data))
    img.draft("RGB", (SIZE, SIZE))
    img = img.convert("RGB").resize((SIZE, SIZE), Image.BILINEAR)
    img.histogram()
    layer = img.convert("L")
    for k in KERNELS:
        layer = layer.filter(k)
        layer.histogram()
    return img.split()


def python_part(bands):
    return [gradient_histogram(b) for b in bands]


def download(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/img", timeout=30) as r:
        return r.read()


stop = threading.Event()


def spin():
    """Pure Python, never blocking: holds the GIL but for forced switches."""
    x = 0
    while not stop.is_set():
        x += 1


def spin_process():
    """The same spinning in a process of its own: the same share of the cores, no GIL shared."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def timed(step, reps):
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        step()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main():
    image, reps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15
    data = open(image, "rb").read()
    server = subprocess.Popen([sys.executable, "-c", PACED_SERVER, image, str(BYTES)], stdout=subprocess.PIPE)
    try:
        port = int(server.stdout.readline())
        bands = c_part(data)
        steps = {
            "download (paced 20 Mbit/s)": lambda: download(port),
            "decode (Pillow C calls)": lambda: c_part(data),
            "features (pure Python)": lambda: python_part(bands),
        }
        interval = sys.getswitchinterval()
        print(f"switch interval {interval * 1000:.1f} ms, {reps} repetitions, medians")
        print(f"{'step':30s} {'alone ms':>9s} {'process ms':>10s} {'thread ms':>9s} {'extra ms':>9s} {'intervals':>9s}")
        for name, step in steps.items():
            timed(step, 2)  # warm caches
            alone = timed(step, reps)
            other = spin_process()
            try:
                beside = timed(step, reps)
            finally:
                other.kill()
                other.wait()
            stop.clear()
            t = threading.Thread(target=spin)
            t.start()
            try:
                busy = timed(step, reps)
            finally:
                stop.set()
                t.join()
            extra = busy - beside
            print(
                f"{name:30s} {alone * 1e3:9.1f} {beside * 1e3:10.1f} {busy * 1e3:9.1f} {extra * 1e3:9.1f} {extra / interval:9.1f}"
            )
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
