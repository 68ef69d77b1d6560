"""Specification of `carbonledger serve`: 127.0.0.1:8000 unless CARBONLEDGER_HOST/PORT or flags say otherwise."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from oracle.cli import build_parser
from tests.webapp.conftest import ORIGIN, DemoLedger


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_given_no_flags_and_no_environment_then_serve_listens_on_127_0_0_1_port_8000(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CARBONLEDGER_HOST", raising=False)
    monkeypatch.delenv("CARBONLEDGER_PORT", raising=False)
    arguments = build_parser().parse_args(["serve"])
    assert (arguments.host, arguments.port) == ("127.0.0.1", 8000)


def test_given_a_port_that_is_not_one_then_serve_refuses_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--port", "70000"])
    assert "is not a TCP port" in capsys.readouterr().err


def test_given_the_environment_when_serving_then_the_explorer_answers_with_the_configured_log(
    demo_ledger: DemoLedger, tmp_path: Path
) -> None:
    port = free_port()
    environment = dict(
        os.environ,
        CARBONLEDGER_HOME=str(tmp_path / "state"),
        CARBONLEDGER_DATABASE_URL=demo_ledger.url,
        CARBONLEDGER_LOG_ORIGIN=ORIGIN,
        CARBONLEDGER_PORT=str(port),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "oracle.cli", "serve"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        head = None
        deadline = time.monotonic() + 20
        while head is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/log/tree-head", timeout=2) as response:
                    head = json.load(response)
            except OSError:
                assert server.poll() is None, server.communicate()[1].decode()
                time.sleep(0.1)
        assert head is not None, "the server did not answer within 20 s"
        assert head["origin"] == ORIGIN
        assert head["tree_size"] == demo_ledger.head.tree_size
    finally:
        server.terminate()
        server.communicate(timeout=10)
