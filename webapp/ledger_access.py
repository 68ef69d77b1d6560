"""The app's handles on the ledger: its Merkle log (one store per app, opened on first use) and checkpoint signing.

A checkpoint note is signed only when the checkpoint key file already exists: a web request never creates a
key. A key that cannot be loaded (say, a wrong CARBONLEDGER_KEY_PASSWORD) makes checkpoints unavailable, not
the pages.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import current_app

from identity.note_key import KeyFileError, load_or_create_note_signer
from ledger.log import MerkleLog
from ledger.log_store import SqlLogStore
from oracle.note import NoteSigner

logger = logging.getLogger(__name__)

_LOG_EXTENSION = "carbonledger.log"
_SIGNER_EXTENSION = "carbonledger.checkpoint_signer"
_opening = threading.Lock()


def current_log() -> MerkleLog:
    """The log this app serves, opened on first use and then shared by every request of the app."""
    extensions = current_app.extensions
    if _LOG_EXTENSION not in extensions:
        with _opening:
            if _LOG_EXTENSION not in extensions:
                store = SqlLogStore.from_url(current_app.config["DATABASE_URL"])
                extensions[_LOG_EXTENSION] = MerkleLog(store, current_app.config["LOG_ORIGIN"])
    log: MerkleLog = extensions[_LOG_EXTENSION]
    return log


def checkpoint_signer() -> NoteSigner | None:
    """The signer of checkpoint notes, or None when this machine holds no usable checkpoint key."""
    extensions = current_app.extensions
    if _SIGNER_EXTENSION in extensions:
        signer: NoteSigner = extensions[_SIGNER_EXTENSION]
        return signer
    key_file = Path(current_app.config["CHECKPOINT_KEY_FILE"])
    # Checked first because the loader would generate a missing key.
    if not key_file.is_file():
        return None
    try:
        signer = load_or_create_note_signer(key_file, current_app.config["LOG_ORIGIN"])
    except KeyFileError as error:
        logger.warning("checkpoints are not signed: %s", error)
        return None
    extensions[_SIGNER_EXTENSION] = signer
    return signer

