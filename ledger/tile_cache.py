"""Tile layers kept in memory between reads, the least recently used dropped first.

Sound because a stored tile only ever grows: its first w bottom hashes, once committed, never change, so the
layers (ledger/tile_layers.py) of a tile read at any time answer every later request for at most w of its
hashes; a request that needs more of a tile reads it again. Only tiles read from the store go in, never an
append's tiles before they are committed. With the layers of every tile a proof passes through kept, the
proof reads no tile and hashes nothing but the folding of its ranges.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

from ledger.tile_layers import TileLayers
from ledger.tiles import LayerReader, TileKey, TileReader

DEFAULT_CAPACITY = 1024
"""Tiles kept per log; a full tile's layers take 16 KiB, so at most 16 MiB."""


class TileCache:
    """The layers of up to `capacity` tiles of one log (0 keeps none)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 0:
            raise ValueError(f"a tile cache holds zero tiles or more, not {capacity}")
        self.capacity = capacity
        self._kept: OrderedDict[TileKey, TileLayers] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def reader(self, read_tiles: TileReader) -> LayerReader:
        """A LayerReader that answers from the cache and reads the rest with `read_tiles`."""
        return lambda widths: self.read(widths, read_tiles)

    def read(self, widths: Mapping[TileKey, int], read_tiles: TileReader) -> dict[TileKey, TileLayers]:
        """The layers of the tiles in `widths`, each holding at least that many bottom hashes."""
        found: dict[TileKey, TileLayers] = {}
        with self._lock:
            for key, width in widths.items():
                layers = self._kept.get(key)
                if layers is not None and layers.width >= width:
                    self._kept.move_to_end(key)
                    found[key] = layers
        missing = [key for key in widths if key not in found]
        if missing:
            read = {key: TileLayers.of(tile) for key, tile in read_tiles(missing).items()}
            found.update(read)
            self._keep(read)
        return found

    def _keep(self, read: Mapping[TileKey, TileLayers]) -> None:
        with self._lock:
            for key, layers in read.items():
                kept = self._kept.get(key)
                if kept is None or kept.width < layers.width:
                    self._kept[key] = layers
                self._kept.move_to_end(key)
            while len(self._kept) > self.capacity:
                self._kept.popitem(last=False)
