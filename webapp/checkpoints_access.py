"""The app's handles on what the oracle anchored: the chain and deployment it anchors in, and its checkpoints.

The deployment file is read on each use, so contracts deployed while the explorer runs show up without a
restart; a missing or unreadable file means no chain is configured (and says why in the log), not a broken page.
The anchored checkpoints come from the oracle's store in the ledger's database (oracle/pipeline_store.py).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from web3 import HTTPProvider, Web3

from ledger.errors import DeploymentError
from ledger.log_store import create_store_engine
from oracle.bundle import LEDGER_CONTRACT, AnchoredCheckpoint, anchored_checkpoints
from oracle.contracts import Deployment
from oracle.eip712 import log_id
from oracle.pipeline_store import PipelineStore
from webapp.ledger_access import checkpoint_signer

logger = logging.getLogger(__name__)

_STORE_EXTENSION = "carbonledger.pipeline_store"
_opening = threading.Lock()
RPC_TIMEOUT_S = 10


@dataclass(frozen=True)
class ChainConfig:
    """The chain the ledger is anchored in, as this server is configured: RPC endpoint and deployment."""

    rpc_url: str
    deployment: Deployment
    origin: str

    @property
    def ledger_address(self) -> str:
        return self.deployment.contracts[LEDGER_CONTRACT].address

    @property
    def log_id_hex(self) -> str:
        return "0x" + log_id(self.origin).hex()

    def web3(self) -> Web3:
        return Web3(HTTPProvider(self.rpc_url, request_kwargs={"timeout": RPC_TIMEOUT_S}))


def chain_config() -> ChainConfig | None:
    """The configured chain, or None when no deployment file can be read."""
    path = Path(current_app.config["DEPLOYMENT_FILE"])
    if not path.is_file():
        return None
    try:
        deployment = Deployment.read(path)
    except DeploymentError as error:
        logger.warning("no chain for the explorer: %s", error)
        return None
    if LEDGER_CONTRACT not in deployment.contracts:
        logger.warning("no chain for the explorer: %s names no %s", path, LEDGER_CONTRACT)
        return None
    return ChainConfig(current_app.config["RPC_URL"], deployment, current_app.config["LOG_ORIGIN"])


def pipeline_store() -> PipelineStore:
    """The oracle's store in the ledger's database, opened on first use and shared by the app's requests."""
    extensions = current_app.extensions
    if _STORE_EXTENSION not in extensions:
        with _opening:
            if _STORE_EXTENSION not in extensions:
                extensions[_STORE_EXTENSION] = PipelineStore(create_store_engine(current_app.config["DATABASE_URL"]))
    store: PipelineStore = extensions[_STORE_EXTENSION]
    return store


def anchored() -> list[AnchoredCheckpoint]:
    """The served log's anchored checkpoints, oldest first; none without a configured chain."""
    chain = chain_config()
    if chain is None:
        return []
    signer = checkpoint_signer()
    verifier_key = None if signer is None else signer.verifier.key_string()
    return anchored_checkpoints(pipeline_store(), chain.origin, chain.deployment, verifier_key)
