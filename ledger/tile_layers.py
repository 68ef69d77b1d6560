"""A tile's layers: every complete subtree hash inside one tile (ledger/tiles.py), each found by its index.

Layer 0 is the tile itself, its (up to 256) bottom hashes; layer j + 1 pairs up layer j, so layer j holds the
roots of the complete subtrees of 2**j bottom hashes, left to right. A tile of width w has w >> j of them.
Building the layers of a full tile costs 255 hashes, about what one proof through it costs without them; kept
(ledger/tile_cache.py), they answer every later proof through the tile without hashing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.errors import LogError
from ledger.hasher import HASH_SIZE, hash_adjacent_children

_PAIR = 2 * HASH_SIZE


@dataclass(frozen=True)
class TileLayers:
    layers: tuple[bytes, ...]
    """layers[j]: the hashes of the tile's complete subtrees of height j, concatenated left to right."""

    @classmethod
    def of(cls, tile: bytes) -> TileLayers:
        """The layers of a tile given as its concatenated bottom hashes."""
        if len(tile) % HASH_SIZE:
            raise LogError(f"a tile is a whole number of {HASH_SIZE}-byte hashes, not {len(tile)} bytes")
        layers = [tile]
        layer = tile
        while len(layer) >= _PAIR:
            pairs = range(0, len(layer) - _PAIR + 1, _PAIR)
            layer = b"".join([hash_adjacent_children(layer[offset : offset + _PAIR]) for offset in pairs])
            layers.append(layer)
        return cls(tuple(layers))

    @property
    def width(self) -> int:
        """How many bottom hashes the tile holds."""
        return len(self.layers[0]) // HASH_SIZE

    def subtree_hash(self, height: int, index: int) -> bytes:
        """The root of bottom hashes [index * 2**height, (index + 1) * 2**height) of the tile.

        KeyError if the tile does not hold that many bottom hashes.
        """
        if height >= len(self.layers) or (index + 1) << height > self.width or index < 0:
            raise KeyError(f"a tile of width {self.width} holds no subtree {index} of height {height}")
        start = index * HASH_SIZE
        return self.layers[height][start : start + HASH_SIZE]
