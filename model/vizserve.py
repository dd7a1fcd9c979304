"""Serving the teaching page for a program to drive: start ``lhe viz``, wait, stop it.

Used by the real-browser test and by ``make teaching-screenshots`` (it imports no
plotting or browser library itself). ``CHROMIUM`` and ``CHROMIUM_ARGS`` launch
Debian's chromium headless with nothing calling out (never ``playwright install``).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Ask a server to stop; kill it if it has not within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(log: IO | int = subprocess.DEVNULL, wait: float = 120) -> Iterator[str]:
    """Fetch the page's assets (once), start ``lhe viz`` on a free port, yield its URL, stop it.

    Raises RuntimeError if the server exits or does not answer within ``wait`` seconds."""
    subprocess.run([sys.executable, str(ROOT / "tools" / "fetch_viz_assets.py")], check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "lhe"), "viz", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"lhe viz exited with {proc.returncode}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"lhe viz did not answer within {wait:g} s") from None
                time.sleep(0.5)
        yield url
    finally:
        stop(proc)
