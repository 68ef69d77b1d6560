"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys: sign, verify, and the key string formats.

A note is text ending in a newline, a blank line, then one line per signature:
`— <key name> base64(4-byte key ID || signature)`. The key ID is SHA-256(name || 0x0A || 0x01 || public key)[:4].
Key strings follow the Go reference implementation: `<name>+<hex key ID>+base64(0x01 || public key)` for a
verifier and `PRIVATE+KEY+<name>+<hex key ID>+base64(0x01 || seed)` for a signer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.errors import LedgerError

ED25519 = 0x01
SIGNATURE_PREFIX = "\u2014 "


class NoteError(LedgerError, ValueError):
    """A note, a key string or a signature is malformed or does not verify."""


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(character in name for character in " +\n") or not name.isprintable():
        raise NoteError(f"key name {name!r} must be non-empty and hold no spaces, '+' or newlines")


def _decode_key_material(encoded: str, what: str) -> bytes:
    try:
        material = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise NoteError(f"{what}: key material is not base64") from error
    if len(material) != 33 or material[0] != ED25519:
        raise NoteError(f"{what}: only Ed25519 keys (type 0x01, 32 bytes) are supported")
    return material[1:]


@dataclass(frozen=True)
class NoteVerifier:
    name: str
    public_key: Ed25519PublicKey

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))

    def key_string(self) -> str:
        raw = self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([ED25519]) + raw).decode()}"

    @classmethod
    def from_key_string(cls, text: str) -> NoteVerifier:
        parts = text.split("+", 2)
        if len(parts) != 3:
            raise NoteError("a verifier key reads <name>+<key id>+<key>")
        name, hex_id, encoded = parts
        _check_name(name)
        verifier = cls(name, Ed25519PublicKey.from_public_bytes(_decode_key_material(encoded, name)))
        if verifier.key_id.hex() != hex_id.lower():
            raise NoteError(f"{name}: key id {hex_id} does not match the key")
        return verifier


@dataclass(frozen=True)
class NoteSigner:
    name: str
    private_key: Ed25519PrivateKey

    def __post_init__(self) -> None:
        _check_name(self.name)

    @property
    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.name, self.private_key.public_key())

    def key_string(self) -> str:
        seed = self.private_key.private_bytes_raw()
        encoded = base64.b64encode(bytes([ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{encoded}"

    @classmethod
    def from_key_string(cls, text: str) -> NoteSigner:
        parts = text.split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("a signer key reads PRIVATE+KEY+<name>+<key id>+<key>")
        name, hex_id, encoded = parts[2:]
        _check_name(name)
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(_decode_key_material(encoded, name)))
        if signer.verifier.key_id.hex() != hex_id.lower():
            raise NoteError(f"{name}: key id {hex_id} does not match the key")
        return signer

    def signature_line(self, text: str) -> str:
        signature = self.private_key.sign(text.encode())
        blob = base64.b64encode(self.verifier.key_id + signature).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {blob}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ord(character) < 0x20 and character != "\n" for character in text):
        raise NoteError("note text must hold no control characters but newlines")


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """The signed note: `text`, a blank line, and one signature line per signer."""
    _check_text(text)
    if not signers:
        raise NoteError("a note needs at least one signer")
    return text + "\n" + "".join(signer.signature_line(text) for signer in signers)


def open_note(note: str, verifiers: Iterable[NoteVerifier]) -> tuple[str, list[str]]:
    """The note's text and the names of the known keys whose signatures verified.

    Signatures from unknown keys are ignored; a known key's bad signature rejects the whole note; a note
    with no verified signature from a known key is rejected.
    """
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("a signed note is text, a blank line and signature lines")
    text, signature_block = note[: split + 1], note[split + 2 :]
    _check_text(text)
    known = {(verifier.name, verifier.key_id): verifier for verifier in verifiers}
    verified = []
    for line in signature_block.splitlines():
        if not line.startswith(SIGNATURE_PREFIX) or line.count(" ") != 2:
            raise NoteError(f"malformed signature line: {line!r}")
        name, blob = line[len(SIGNATURE_PREFIX) :].split(" ")
        try:
            raw = base64.b64decode(blob, validate=True)
        except binascii.Error as error:
            raise NoteError(f"{name}: signature is not base64") from error
        verifier = known.get((name, raw[:4]))
        if verifier is None:
            continue
        try:
            verifier.public_key.verify(raw[4:], text.encode())
        except InvalidSignature as error:
            raise NoteError(f"{name}: signature does not verify") from error
        verified.append(name)
    if not verified:
        raise NoteError("no signature from a known key")
    return text, verified
