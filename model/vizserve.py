"""Serving the teaching pages: the server behind ``lhe viz`` and ``lhe class``, and helpers to drive it.

The Solara server runs inside the ``lhe`` process (uvicorn), on a socket bound
before anything says "serving": a busy port or a bad address is refused with a
clear message and exit code 2, and SIGTERM or Ctrl-C stop the one process that
listens. :class:`Gate` wraps Solara's web application: it sets the students'
HTTP-only session cookie, lets the teacher in with the startup token (as a
cookie, so the token leaves the address bar), and caps connected sessions.

For programs that drive the pages (the browser tests, ``make teaching-screenshots``),
:func:`serving` starts ``lhe viz`` or ``lhe class`` on a free port and stops it;
``CHROMIUM`` and ``CHROMIUM_ARGS`` launch Debian's chromium headless with nothing
calling out (never ``playwright install``).
"""

from __future__ import annotations

import errno
import hmac
import ipaddress
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
STUDENT_COOKIE = "lhe_student"
TEACHER_COOKIE = "lhe_teacher"
MAX_SESSIONS = 150  # pages open at once (a class of 30 with the teacher's, the projector's and spares)


class ServeError(Exception):
    """Bad input to a server command: say it and exit 2."""


# --- before serving ----------------------------------------------------------------------------
def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or ServeError saying why not."""
    if not 1 <= port <= 65535:
        raise ServeError(f"--port: got {port}; a port from 1 to 65535 is allowed")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise ServeError(f"--host: cannot use {host!r} ({e.strerror})") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise ServeError(f"--port: port {port} on {host} is in use; choose another with --port") from None
        if e.errno in (errno.EACCES, errno.EPERM):
            raise ServeError(f"--port: port {port} needs privileges this user lacks; use a port above 1023") from None
        raise ServeError(f"--host: cannot listen on {host}:{port} ({e.strerror})") from None
    sock.set_inheritable(True)
    return sock


def interface_address(name: str) -> str:
    """The IPv4 address of a network interface (``--lan eth0``), or the address itself if one is given."""
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        pass
    names = [n for _, n in socket.if_nameindex()]
    if name not in names:
        raise ServeError(f"--lan: no network interface {name!r}; this machine has {', '.join(names) or 'none'} "
                         "(or give the address to listen on)")
    try:
        import fcntl
        import struct

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            packed = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))  # SIOCGIFADDR
        return socket.inet_ntoa(packed[20:24])
    except (OSError, ImportError):
        raise ServeError(f"--lan: interface {name!r} has no IPv4 address here; give the address to listen on") from None


def asset_cache() -> Path:
    return Path(os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR") or Path(sys.prefix) / "solara-assets")


def configure_solara(http_only: bool = True) -> None:
    """Solara's settings, through its environment, before it is imported: offline assets, no telemetry,
    production mode, HTTP-only session cookies, idle sessions dropped after 30 minutes."""
    os.environ["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(asset_cache())
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ["SOLARA_MODE"] = "production"
    os.environ["SOLARA_SESSION_HTTP_ONLY"] = "True" if http_only else "False"
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "30m")
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    # Solara warns on every page load served over plain http to an address other than "localhost"
    # that it falls back to SameSite=Lax cookies: that is what this server wants.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")


# --- the gate in front of Solara --------------------------------------------------------------
@dataclass
class Gate:
    """ASGI middleware: the students' session cookie, the teacher's token, and a cap on sessions."""

    app: Any
    token: str | None = None  # the teacher's, or None when no page needs one
    max_sessions: int = MAX_SESSIONS
    open_sessions: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "websocket" and scope["path"].endswith("/channels"):
            with self._lock:
                full = self.open_sessions >= self.max_sessions
                if not full:
                    self.open_sessions += 1
            if full:
                await receive()
                await send({"type": "websocket.close", "code": 1013})
                return
            try:
                await self.app(scope, receive, send)
            finally:
                with self._lock:
                    self.open_sessions -= 1
            return
        if scope["type"] != "http" or not self._is_page(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.open_sessions >= self.max_sessions:
            await _reply(send, 503, "<h1>The class is full</h1><p>Too many pages are open: close one and reload.</p>")
            return
        cookies = _cookies(scope)
        query = parse_qs(scope.get("query_string", b"").decode())
        if scope["path"].rstrip("/") == "/teacher" and self.token is not None and "token" in query:
            if hmac.compare_digest(query["token"][0].encode(), self.token.encode()):
                # the token becomes an HTTP-only cookie and leaves the address bar (and the projector)
                await _reply(send, 303, "", [(b"location", b"/teacher"), _set_cookie(TEACHER_COOKIE, self.token)])
            else:
                await _reply(send, 403, "<h1>Wrong teacher's link</h1><p>Use the link printed where lhe class runs.</p>")
            return
        extra = [] if cookies.get(STUDENT_COOKIE) else [_set_cookie(STUDENT_COOKIE, secrets.token_urlsafe(18))]

        async def send_with_cookie(message: dict) -> None:
            if message["type"] == "http.response.start" and extra:
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    @staticmethod
    def _is_page(path: str) -> bool:
        return not re.match(r"^/(_solara|static|jupyter|resourcez|readyz|favicon)", path)


def _cookies(scope: dict) -> dict[str, str]:
    raw = "; ".join(v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"cookie")
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001 - a malformed cookie header is treated as no cookies
        return {}
    return {k: m.value for k, m in jar.items()}


def _set_cookie(name: str, value: str) -> tuple[bytes, bytes]:
    return b"set-cookie", f"{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400".encode()


async def _reply(send: Callable, status: int, html: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = html.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def run_server(app_module: str, sock: socket.socket, token: str | None = None,
               max_sessions: int = MAX_SESSIONS) -> None:
    """Serve Solara's app ``app_module`` on ``sock`` until SIGTERM or Ctrl-C (uvicorn handles both)."""
    import uvicorn

    os.environ["SOLARA_APP"] = app_module
    from solara.server import starlette as solara_starlette

    config = uvicorn.Config(Gate(solara_starlette.app, token=token, max_sessions=max_sessions), log_level="warning",
                            timeout_graceful_shutdown=3, ws_ping_interval=20, lifespan="on")
    # uvicorn shuts down gracefully on SIGTERM or SIGINT, then raises the signal again for the handler
    # that was there before it: ours, which ends the serving here instead of the process
    previous = {sig: signal.signal(sig, _stop_serving) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except _Stopped:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()


class _Stopped(Exception):
    pass


def _stop_serving(signum: int, frame: Any) -> None:
    raise _Stopped


def _needs_solara() -> None:
    import importlib.util

    if importlib.util.find_spec("solara") is None:
        raise ServeError("the visual server needs the viz extra: pip install -e '.[viz]' (or make viz)")
    cache = asset_cache()
    if not cache.is_dir():
        print(f"lhe: warning: no front-end assets in {cache}; without internet the page will not load. "
              "Fetch them with: python tools/fetch_viz_assets.py (make viz does)", file=sys.stderr)


def _place(scenario: str | None, default: str, sets: Sequence[str]) -> tuple[Any, tuple[str, ...]]:
    """The place to serve, with ``--set`` changes applied (a bad name, file or change is refused, exit 2, before
    anything else), and the words saying what was changed, one for each change."""
    from model.overrides import command_line_changes
    from model.scenario import load_scenario

    changes = command_line_changes(list(sets))
    place = changes.apply(load_scenario(scenario or default))
    return place, tuple(changes.given_as.values())


def _with(changes: tuple[str, ...]) -> str:
    return " with " + ", ".join(changes) if changes else ""


def serve_viz(scenario: str | None, host: str, port: int, sets: Sequence[str] = ()) -> int:
    """``lhe viz``: check the place, the port and the address, say "serving", serve until stopped."""
    place, changed = _place(scenario, "baseline", sets)
    _needs_solara()
    sock = bind(host, port)
    configure_solara(http_only=True)
    from model.viz import page

    page.START, page.START_CHANGES = place, changed
    print(f"lhe viz: serving {place.name}{_with(changed)} on http://{host}:{port}/ (Ctrl-C stops it)", file=sys.stderr, flush=True)
    run_server("model.viz.page", sock)
    print("lhe viz: stopped", file=sys.stderr)
    return 0


def serve_class(scenario: str | None, port: int, lan: str | None = None, seed: int | None = None,
                window: float = 90, sets: Sequence[str] = ()) -> int:
    """``lhe class``: the classroom's pages, its clock and its token; serve until stopped."""
    place, changed = _place(scenario, "teach-place", sets)
    _needs_solara()
    host = interface_address(lan) if lan else "127.0.0.1"
    sock = bind(host, port)
    configure_solara(http_only=True)
    from model.viz import classpages
    from model.viz.classroom import Classroom

    classroom = Classroom(place, seed=seed, window_seconds=window)  # its clock belongs to no page
    base = f"http://{host}:{port}/"
    classpages.CLASSROOM, classpages.JOIN_URL = classroom, base
    print(f"lhe class: serving {place.name}{_with(changed)} on {base} (Ctrl-C stops it)\n"
          f"  teacher (keep this link to yourself): {base}teacher?token={classroom.token}\n"
          f"  projector: {base}screen\n"
          f"  students:  {base}  join code {classroom.join_code}", file=sys.stderr, flush=True)
    try:
        run_server("model.viz.classpages", sock, token=classroom.token)
    finally:
        classroom.close()
    print("lhe class: stopped", file=sys.stderr)
    return 0


# --- for programs that drive the pages ---------------------------------------------------------
def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Ask a server to stop; kill it if it has not within ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    url: str
    proc: subprocess.Popen
    output: list[str]

    def line(self, pattern: str, wait: float = 30) -> re.Match:
        """The first line of the server's output matching ``pattern`` (waiting for it)."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            for text in list(self.output):
                m = re.search(pattern, text)
                if m:
                    return m
            time.sleep(0.1)
        raise RuntimeError(f"no line matching {pattern!r} in the server's output:\n" + "".join(self.output))


@contextmanager
def serving(args: list[str] | None = None, log: Any = None, wait: float = 120) -> Iterator[Served]:
    """Fetch the pages' assets (once), start ``lhe viz`` (or ``lhe ARGS``) on a free port, yield it, stop it.

    Raises RuntimeError if the server exits or does not answer within ``wait`` seconds."""
    subprocess.run([sys.executable, str(ROOT / "tools" / "fetch_viz_assets.py")], check=True, capture_output=True)
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "lhe"), *(args or ["viz"]), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for text in proc.stdout:
            output.append(text)
            if log is not None:
                log.write(text)
                log.flush()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                urllib.request.urlopen(url + "readyz", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"lhe {' '.join(args or ['viz'])} exited with {proc.returncode}:\n"
                                       + "".join(output)) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer within {wait:g} s") from None
                time.sleep(0.3)
        yield Served(url, proc, output)
    finally:
        stop(proc)
        reader.join(5)


def listening(port: int, host: str = "127.0.0.1") -> bool:
    """Whether anything accepts connections on ``host:port``."""
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0
