"""C2SP signed notes and tlog checkpoints: the reference example byte for byte, and every rejection."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.log import TreeHead
from oracle.checkpoint import Checkpoint
from oracle.note import NoteError, NoteSigner, NoteVerifier, open_note, sign_note

# The example of the signed-note reference implementation (golang.org/x/mod/sumdb/note documentation).
SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
SIGNED = (
    TEXT
    + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_given_the_reference_key_when_signing_the_reference_text_then_the_note_matches_byte_for_byte() -> None:
    signer = NoteSigner.from_key_string(SIGNER_KEY)
    assert signer.verifier.key_string() == VERIFIER_KEY
    assert signer.key_string() == SIGNER_KEY
    assert sign_note(TEXT, [signer]) == SIGNED


def test_given_the_reference_note_when_opened_with_its_verifier_then_text_and_signer_come_back() -> None:
    assert open_note(SIGNED, [NoteVerifier.from_key_string(VERIFIER_KEY)]) == (TEXT, ["PeterNeumann"])


def test_given_an_altered_text_when_opened_then_the_note_is_rejected() -> None:
    with pytest.raises(NoteError, match="does not verify"):
        open_note(SIGNED.replace("answer", "problem"), [NoteVerifier.from_key_string(VERIFIER_KEY)])


def test_given_only_unknown_keys_when_opened_then_the_note_is_rejected() -> None:
    stranger = NoteSigner("PeterNeumann", Ed25519PrivateKey.generate()).verifier
    with pytest.raises(NoteError, match="no signature from a known key"):
        open_note(SIGNED, [stranger])


@pytest.mark.parametrize(
    "key",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+AhpjMQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+not base64",
    ],
)
def test_given_a_mangled_verifier_key_then_it_is_refused(key: str) -> None:
    with pytest.raises(NoteError):
        NoteVerifier.from_key_string(key)


@pytest.mark.parametrize("text", ["no final newline", "a control \x07 character\n"])
def test_given_text_a_note_cannot_hold_then_signing_refuses_it(text: str) -> None:
    with pytest.raises(NoteError):
        sign_note(text, [NoteSigner.from_key_string(SIGNER_KEY)])


def test_given_a_tree_head_when_signed_as_a_checkpoint_then_it_opens_and_parses_back() -> None:
    head = TreeHead("carbonledger.example/log", 42, bytes(range(32)))
    signer = NoteSigner("carbonledger.example/log", Ed25519PrivateKey.generate())
    note = Checkpoint.of(head).signed([signer])
    assert note.startswith("carbonledger.example/log\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n\u2014 ")
    text, names = open_note(note, [signer.verifier])
    assert names == ["carbonledger.example/log"]
    assert Checkpoint.parse(text) == Checkpoint.of(head)


@pytest.mark.parametrize(
    "text",
    ["origin\n42\n", "origin\n042\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "origin\n42\nAAEC\n", "origin\n-1\nAA==\n"],
)
def test_given_a_malformed_checkpoint_then_parsing_refuses_it(text: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(text)
