"""The meter simulator end to end: its readings pass the intake, and its replayed and tampered ones are refused,
whether printed as JSON lines or POSTed to an HTTP intake on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from identity.device import DeviceRegistry
from identity.password import PASSWORD_VARIABLE
from oracle.readings import BadSignatureError, ReadingIntake, ReadingRejectedError, ReplayedReadingError
from oracle.readings_store import SqlReadingStore

ROOT = Path(__file__).resolve().parents[2]
SIMULATOR = ROOT / "scripts" / "meter_simulator.py"
# How the test's HTTP intake answers each refusal; the web app's mapping is its own.
STATUS_BY_REASON = {"replayed": 409, "unknown-device": 404}


def simulate(state: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, **{PASSWORD_VARIABLE: "simulator password"})
    return subprocess.run(
        [sys.executable, str(SIMULATOR), "--state-dir", str(state), *arguments],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )


def intake_for(state: Path) -> tuple[ReadingIntake, SqlReadingStore]:
    store = SqlReadingStore.from_url(f"sqlite:///{state / 'readings.db'}")
    return ReadingIntake(DeviceRegistry.in_state_dir(state), store), store


class IntakeHandler(BaseHTTPRequestHandler):
    """POST a reading as JSON: 201 when accepted, 4xx with the refusal's reason when not."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        intake: ReadingIntake = self.server.intake  # type: ignore[attr-defined]
        try:
            accepted = intake.accept_reading(json.loads(body))
            status, answer = 201, {"device_id": accepted.reading.device_id, "counter": accepted.reading.counter}
        except ReadingRejectedError as error:
            status, answer = STATUS_BY_REASON.get(error.reason, 422), {"error": error.reason, "message": str(error)}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the answers, not the access log."""


@pytest.fixture
def intake_url(tmp_path: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), IntakeHandler)
    server.intake = intake_for(tmp_path)[0]  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/readings"
    server.shutdown()
    server.server_close()


def test_given_printed_readings_when_fed_to_the_intake_then_regular_ones_pass_and_replay_and_tamper_are_refused(
    tmp_path: Path,
) -> None:
    result = simulate(tmp_path, "--devices", "2", "--readings", "3", "--replay", "--tamper")
    assert result.returncode == 0, result.stderr
    payloads = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(payloads) == 2 * 3 + 2
    assert "registered sim-meter-001" in result.stderr and "registered sim-meter-002" in result.stderr
    intake, store = intake_for(tmp_path)
    for payload in payloads[:6]:
        intake.accept_reading(payload)
    with pytest.raises(ReplayedReadingError):
        intake.accept_reading(payloads[6])
    with pytest.raises(BadSignatureError):
        intake.accept_reading(payloads[7])
    assert len(store.readings()) == 6


def test_given_a_second_run_then_the_devices_are_reused_and_counters_keep_rising(tmp_path: Path) -> None:
    first = simulate(tmp_path, "--devices", "1", "--readings", "2")
    second = simulate(tmp_path, "--devices", "1", "--readings", "2")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "registered" not in second.stderr
    counters = [json.loads(line)["counter"] for line in (first.stdout + second.stdout).splitlines()]
    assert counters == sorted(set(counters))
    assert [device.device_id for device in DeviceRegistry.in_state_dir(tmp_path).devices()] == ["sim-meter-001"]


def test_given_an_http_intake_when_posting_then_readings_are_stored_and_replay_and_tamper_refused(
    tmp_path: Path, intake_url: str
) -> None:
    result = simulate(tmp_path, "--devices", "3", "--readings", "2", "--replay", "--tamper", "--url", intake_url)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert sum(line.startswith("reading ") and ": 201 accepted" in line for line in lines) == 6
    replayed = [line for line in lines if line.startswith("replayed reading ")]
    tampered = [line for line in lines if line.startswith("tampered reading ")]
    assert len(replayed) == len(tampered) == 1
    assert ": 409 refused" in replayed[0] and '"error": "replayed"' in replayed[0]
    assert ": 422 refused" in tampered[0] and '"error": "bad-signature"' in tampered[0]
    assert lines[-1] == "every reading met its expected fate"
    _, store = intake_for(tmp_path)
    assert len(store.readings()) == 6


class AcceptEverythingHandler(BaseHTTPRequestHandler):
    """An intake that checks nothing."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def test_given_an_intake_that_accepts_a_replay_then_the_simulator_exits_with_failure(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), AcceptEverythingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/readings"
        result = simulate(tmp_path, "--devices", "1", "--readings", "1", "--replay", "--url", url)
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "some readings did not meet their expected fate"


def test_given_no_password_when_the_simulator_runs_then_it_stops_with_a_clear_error(tmp_path: Path) -> None:
    environment = {name: value for name, value in os.environ.items() if name != PASSWORD_VARIABLE}
    result = subprocess.run(
        [sys.executable, str(SIMULATOR), "--state-dir", str(tmp_path)],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and PASSWORD_VARIABLE in result.stderr
