"""Relaying signed attestations from the explorer: checks on chain, then CarbonAttestations.attest.

The transaction is paid by the explorer's relayer key (keystore label RELAYER_KEY, "relayer" by default, in
KEYSTORE_DIR), opened with CARBONLEDGER_KEY_PASSWORD from the environment; relaying needs no role on chain, as
the contract checks the verifier's signature itself. The relayer's transactions are kept in the oracle's
transaction table like the oracle's own, so a restart finds them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from flask import current_app
from web3.exceptions import Web3RPCError

from identity.errors import KeystoreError
from identity.keystore import Keystore
from identity.password import PASSWORD_VARIABLE
from ledger.errors import RelayerUnavailableError
from oracle.anvil import ChainError
from oracle.attest import AttestationRelay, RelayedAttestation, SignedAttestation
from oracle.chain import TransactionSender
from webapp.accounts_access import chain, pipeline_store, shared


def relayer_account() -> LocalAccount:
    config = current_app.config
    return shared("relayer", lambda: _open_relayer(Path(config["KEYSTORE_DIR"]), config["RELAYER_KEY"]))


def _open_relayer(keystore_dir: Path, label: str) -> LocalAccount:
    password = os.environ.get(PASSWORD_VARIABLE)
    if not password:
        raise RelayerUnavailableError(f"this explorer cannot relay: {PASSWORD_VARIABLE} is not set for its key")
    try:
        return Keystore(keystore_dir).load(label, password)
    except KeystoreError as error:
        raise RelayerUnavailableError(f"this explorer cannot relay: its key {label!r}: {error}") from error


def relay(signed: SignedAttestation) -> RelayedAttestation:
    """Check `signed` against the chain and record it there; the reader's cache is dropped afterwards.

    A refusal is AttestationRejectedError (nothing sent); a node that fails or refuses the relayer's
    transaction (say, for want of funds) is RelayerUnavailableError.
    """
    reader = chain()
    with reader.reading():
        attestation_relay = AttestationRelay.of(reader, reader.deployment.chain_id, reader.decoder)
        sender = TransactionSender(reader.w3, relayer_account(), pipeline_store(), reader.decoder)
    try:
        return attestation_relay.relay(signed, sender)
    except (ChainError, Web3RPCError, OSError) as error:
        raise RelayerUnavailableError(f"the relay failed: {error}") from error
    finally:
        reader.invalidate()


def relayed_json(relayed: RelayedAttestation, account: str) -> dict[str, Any]:
    return {"attestation_id": relayed.attestation_id, "account": account, "verifier": relayed.verifier,
            "tx_hash": "0x" + relayed.tx_hash.hex()}
