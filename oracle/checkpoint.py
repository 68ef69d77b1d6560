"""Checkpoints of the log as C2SP tlog-checkpoint note text: origin, tree size and root hash, one per line."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from ledger.hasher import HASH_SIZE
from ledger.log import TreeHead
from oracle.note import NoteError, NoteSigner, sign_note


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root_hash: bytes

    @classmethod
    def of(cls, head: TreeHead) -> Checkpoint:
        return cls(head.origin, head.tree_size, head.root_hash)

    def body(self) -> str:
        return f"{self.origin}\n{self.tree_size}\n{base64.b64encode(self.root_hash).decode()}\n"

    def signed(self, signers: list[NoteSigner]) -> str:
        return sign_note(self.body(), signers)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint has at least three lines: origin, tree size, root hash")
        origin, size_text, root_text = lines[0], lines[1], lines[2]
        if not size_text.isdigit() or (size_text.startswith("0") and size_text != "0"):
            raise NoteError(f"tree size {size_text!r} is not a decimal number")
        try:
            root_hash = base64.b64decode(root_text, validate=True)
        except binascii.Error as error:
            raise NoteError("root hash is not base64") from error
        if len(root_hash) != HASH_SIZE:
            raise NoteError(f"root hash has {len(root_hash)} bytes, not {HASH_SIZE}")
        return cls(origin, int(size_text), root_hash)
