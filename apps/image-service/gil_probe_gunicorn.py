"""Measures the GIL hand-offs of gunicorn's own request path in a gthread worker (models/apps/image-service.yaml,
the accept stage's `lockReacquires`): a small POST answered by a minimal WSGI app, timed alone, beside a
process spinning in pure Python (the cores' share) and beside a request of the same worker spinning in pure
Python (`/spin`, the worker's other thread holding the GIL). The difference of the last two, in switch
intervals (5 ms), is how many times the request path (the main thread's accept, the worker thread's parse
and answer) took the GIL back from the busy thread. gil_probe.py measures the app's download and Pillow steps.

Usage: python3 gil_probe_gunicorn.py   (starts `gunicorn --workers 1 --threads 2` on 127.0.0.1 and stops it)
"""

import http.client
import os
import statistics
import subprocess
import sys
import threading
import time

PORT = 18731
SPIN_S = 20


def app(environ, start_response):
    if environ["PATH_INFO"] == "/spin":
        t, x = time.perf_counter(), 0
        while time.perf_counter() - t < SPIN_S:
            x += 1
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "1500")])
    return [b"x" * 1500]


def post(path):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    c.request("POST", path, body=b"y" * 300, headers={"Connection": "close"})
    c.getresponse().read()
    c.close()


def spin():
    try:
        post("/spin")
    except OSError:
        pass  # the server stopped under it


def median_ms(n=40):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        post("/hello")
        out.append(time.perf_counter() - t)
        time.sleep(0.01)
    return statistics.median(out) * 1e3


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    server = subprocess.Popen(
        ["/usr/bin/gunicorn", "--workers", "1", "--threads", "2", "--graceful-timeout", "1",
         "--bind", f"127.0.0.1:{PORT}", "--chdir", here, "gil_probe_gunicorn:app"],
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.5)
        alone = median_ms()
        other = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            beside = median_ms()
        finally:
            other.kill()
            other.wait()
        spinner = threading.Thread(target=spin, daemon=True)
        spinner.start()
        time.sleep(0.5)
        busy = median_ms()
        extra = busy - beside
        print(
            f"request alone {alone:.2f} ms, beside a spinning process {beside:.2f} ms, beside a spinning thread"
            f" of its worker {busy:.2f} ms: extra {extra:.2f} ms = {extra / 5:.1f} switch intervals"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
