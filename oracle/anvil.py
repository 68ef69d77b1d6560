"""The embedded chain: an Anvil node on 127.0.0.1 whose state persists in a file, started and stopped by us.

Anvil loads `--state` at start and writes it back periodically and on exit, so the chain survives restarts.
The node runs detached; its process id and RPC port live beside the state file so any later command can
find, reuse or stop it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import LedgerError

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PORT = 8545
DEFAULT_CHAIN_ID = 31337
STATE_INTERVAL_S = 2
# The EVM version the contracts are compiled for (brownie-config.yaml).
HARDFORK = "prague"


class ChainError(LedgerError, RuntimeError):
    """The embedded chain cannot be started, reached or stopped."""


@dataclass(frozen=True)
class ChainStatus:
    running: bool
    rpc_url: str
    chain_id: int | None
    block_number: int | None
    pid: int | None


def anvil_binary() -> str:
    """Anvil from CARBONLEDGER_ANVIL, the project's node_modules, or PATH."""
    configured = os.environ.get("CARBONLEDGER_ANVIL")
    candidates = [configured] if configured else []
    candidates += [str(REPO_ROOT / "node_modules" / ".bin" / "anvil"), shutil.which("anvil") or ""]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise ChainError("anvil not found: run `make setup` (npm installs @foundry-rs/anvil-linux-amd64)")


def rpc_call(rpc_url: str, method: str, params: list[object] | None = None, timeout_s: float = 5.0) -> object:
    """One JSON-RPC call; the standard library is enough to ask a node whether it is up."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(rpc_url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            answer = json.loads(response.read())
    except (urllib.error.URLError, OSError, json.JSONDecodeError) as error:
        raise ChainError(f"{rpc_url} did not answer {method}: {error}") from error
    if "error" in answer:
        raise ChainError(f"{rpc_url} refused {method}: {answer['error']}")
    return answer["result"]


class EmbeddedChain:
    """The Anvil node whose files live in `state_dir`."""

    def __init__(self, state_dir: Path, port: int = DEFAULT_PORT, chain_id: int = DEFAULT_CHAIN_ID) -> None:
        self.state_dir = state_dir
        self.port = port
        self.chain_id = chain_id
        self.rpc_url = f"http://127.0.0.1:{port}"
        self._pid_file = state_dir / "anvil.pid"
        self._state_file = state_dir / "state.json"
        self._log_file = state_dir / "anvil.log"

    def status(self) -> ChainStatus:
        pid = self._running_pid()
        try:
            chain_id = int(str(rpc_call(self.rpc_url, "eth_chainId", timeout_s=1.0)), 16)
            block = int(str(rpc_call(self.rpc_url, "eth_blockNumber", timeout_s=1.0)), 16)
        except ChainError:
            return ChainStatus(False, self.rpc_url, None, None, pid)
        return ChainStatus(True, self.rpc_url, chain_id, block, pid)

    def up(self, timeout_s: float = 30.0) -> ChainStatus:
        """Start the node unless it already answers; return once it serves RPC."""
        status = self.status()
        if status.running:
            if status.chain_id != self.chain_id:
                raise ChainError(
                    f"{self.rpc_url} serves chain {status.chain_id}, not {self.chain_id}: another node holds the port"
                )
            return status
        self.state_dir.mkdir(parents=True, exist_ok=True)
        command = [
            anvil_binary(),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--chain-id", str(self.chain_id),
            "--hardfork", HARDFORK,
            "--state", str(self._state_file),
            "--state-interval", str(STATE_INTERVAL_S),
        ]
        with self._log_file.open("ab") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        self._pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ChainError(f"anvil exited with {process.returncode}; see {self._log_file}")
            status = self.status()
            if status.running:
                logger.info("chain %d up at %s (pid %d)", self.chain_id, self.rpc_url, process.pid)
                return status
            time.sleep(0.1)
        raise ChainError(f"anvil did not answer at {self.rpc_url} within {timeout_s:.0f} s; see {self._log_file}")

    def down(self, timeout_s: float = 20.0) -> None:
        """Stop the node, letting it write its state first."""
        pid = self._running_pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        self._pid_file.unlink(missing_ok=True)
        logger.info("chain stopped (pid %d)", pid)

    def _running_pid(self) -> int | None:
        try:
            pid = int(self._pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers signal 0; reap it if it is ours.
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return finished == 0
