"""Serving: ports and addresses checked before "serving", signals stop the one process, the gate's cookies."""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from model.vizserve import ROOT, Gate, bind, free_port, listening

LHE = str(Path(sys.executable).parent / "lhe")


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([LHE, *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_a_port_outside_1_to_65535_is_refused_before_serving(port):
    out = run("viz", "--port", port)
    assert out.returncode == 2 and "serving" not in out.stderr + out.stdout
    assert "1 to 65535" in out.stderr and "Traceback" not in out.stderr


def test_a_busy_port_is_refused_before_serving():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        for command in ("viz", "class"):
            out = run(command, "--port", str(port))
            assert out.returncode == 2, out.stderr
            assert "in use" in out.stderr and "serving" not in out.stderr and "Traceback" not in out.stderr


def test_a_bad_place_or_interface_is_refused_before_serving(tmp_path):
    out = run("viz", "no-such-place", "--port", str(free_port()))
    assert out.returncode == 2 and "no-such-place" in out.stderr and "serving" not in out.stderr
    out = run("class", "--lan", "no-such-interface0", "--port", str(free_port()))
    assert out.returncode == 2 and "no-such-interface0" in out.stderr and "serving" not in out.stderr


def test_a_bad_change_is_refused_before_serving():
    for command in ("viz", "class"):
        out = run(command, "--set", "net_health.council_cost_per_qaly=5", "--port", str(free_port()))
        assert out.returncode == 2 and "serving" not in out.stderr + out.stdout, out.stderr
        assert "--set net_health.council_cost_per_qaly=5" in out.stderr and "100 to 1,000,000" in out.stderr


def test_the_place_served_carries_the_changes_asked_for():
    """`lhe viz` and `lhe class` serve the place with each --set applied, and say so."""
    from model.scenario import load_scenario
    from model.vizserve import _place

    place, words = _place("teach-place", "baseline", ["net_health.council_cost_per_qaly=54224", "run.seed=7"])
    assert place.net_health.council_cost_per_qaly == 54224 and place.run.seed == 7
    assert words == ("--set net_health.council_cost_per_qaly=54224", "--set run.seed=7")
    plain, none = _place(None, "teach-place", [])
    assert none == () and plain.digest() == load_scenario("teach-place").digest()
    assert plain.net_health.council_cost_per_qaly is None


def test_lhe_viz_binds_this_machine_only_by_default():
    from model.cli import build_parser

    args = build_parser().parse_args(["viz"])
    assert args.host == "127.0.0.1" and args.port == 8765
    assert build_parser().parse_args(["class"]).lan is None


def _serve_until_signal(args: list[str], sig: int) -> tuple[str, int]:
    port = free_port()
    proc = subprocess.Popen([LHE, *args, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # "serving ...": the server is about to answer
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        proc.send_signal(sig)
        proc.wait(timeout=30)
        return first + proc.stdout.read(), port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_server_and_nothing_is_left_listening(sig, tmp_path):
    # a valid scenario file outside the scenario folder serves too
    mine = tmp_path / "mine.toml"
    shutil.copy(ROOT / "scenarios" / "teach-place.toml", mine)
    mine.write_text(mine.read_text().replace('name = "teach-place"', 'name = "mine"'))
    output, port = _serve_until_signal(["viz", str(mine), "--set", "net_health.council_cost_per_qaly=54224"], sig)
    assert "serving mine with --set net_health.council_cost_per_qaly=54224" in output
    assert "stopped" in output and "Traceback" not in output
    assert not listening(port)


def test_bind_refuses_an_address_this_machine_does_not_have():
    from model.vizserve import ServeError

    with pytest.raises(ServeError, match="cannot"):
        bind("192.0.2.1", free_port())  # TEST-NET-1: never a local address


# --- the gate in front of Solara ---------------------------------------------------------------
async def _call(gate: Gate, path: str, query: str = "", cookies: str = "") -> tuple[int, dict[bytes, list[bytes]]]:
    sent: list[dict] = []
    headers = [(b"cookie", cookies.encode())] if cookies else []
    scope = {"type": "http", "path": path, "query_string": query.encode(), "headers": headers}

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    await gate(scope, receive, send)
    start = sent[0]
    out: dict[bytes, list[bytes]] = {}
    for k, v in start.get("headers", []):
        out.setdefault(k, []).append(v)
    return start["status"], out


async def _app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
    await send({"type": "http.response.body", "body": b"page"})


def test_the_gate_gives_each_browser_an_http_only_student_cookie_once():
    gate = Gate(_app, token="secret-token")
    status, headers = asyncio.run(_call(gate, "/"))
    assert status == 200
    cookie = headers[b"set-cookie"][0].decode()
    assert cookie.startswith("lhe_student=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    status, headers = asyncio.run(_call(gate, "/", cookies=cookie.split(";")[0]))
    assert b"set-cookie" not in headers
    _, headers = asyncio.run(_call(gate, "/static/main.js"))
    assert b"set-cookie" not in headers  # assets get no cookie


def test_the_gate_turns_the_teachers_token_into_a_cookie_and_refuses_a_wrong_one():
    gate = Gate(_app, token="secret-token")
    status, headers = asyncio.run(_call(gate, "/teacher", "token=secret-token"))
    assert status == 303 and headers[b"location"] == [b"/teacher"]
    cookie = headers[b"set-cookie"][0].decode()
    assert cookie.startswith("lhe_teacher=secret-token") and "HttpOnly" in cookie
    status, _ = asyncio.run(_call(gate, "/teacher", "token=guess"))
    assert status == 403


def test_the_gate_caps_connected_sessions():
    gate = Gate(_app, token=None, max_sessions=1)
    gate.open_sessions = 1
    status, _ = asyncio.run(_call(gate, "/"))
    assert status == 503
