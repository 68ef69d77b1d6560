"""Tiles: how the log stores its subtree hashes in O(n / 256) rows and finds any of them in O(1) reads.

Level L of the log is the list of the hashes of complete subtrees of height 8·L, left to right: level 0 holds
the leaf hashes, level 1 the roots of each run of 256 leaves, and so on. Each level is cut into tiles of 256
consecutive hashes; only the rightmost tile of a level can be partial, and tiles only ever grow. Any complete
subtree of height h = 8·L + j is the Merkle root of 2**j consecutive hashes inside one tile of level L, found in
layer j of that tile's layers (ledger/tile_layers.py), so a root or proof reads a handful of tiles and hashes at
most 255 times per tile, or not at all for tiles whose layers are kept (ledger/tile_cache.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ledger.hasher import HASH_SIZE
from ledger.prove import Node
from ledger.tile_layers import TileLayers

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT


@dataclass(frozen=True, order=True)
class TileKey:
    level: int
    index: int


TileReader = Callable[[Iterable[TileKey]], Mapping[TileKey, bytes]]
"""Reads tiles by key; a tile is the concatenation of its (up to 256) 32-byte hashes."""

LayerReader = Callable[[Mapping[TileKey, int]], Mapping[TileKey, TileLayers]]
"""Reads the layers of tiles, each tile given with how many of its bottom hashes the reader needs."""


def level_size(tree_size: int, level: int) -> int:
    """How many hashes level `level` holds in a tree of `tree_size` leaves."""
    return tree_size >> (TILE_HEIGHT * level)


def _split_hashes(tile: bytes) -> list[bytes]:
    return [tile[offset : offset + HASH_SIZE] for offset in range(0, len(tile), HASH_SIZE)]


def _place(node: Node) -> tuple[TileKey, int, int]:
    """The tile that holds `node`, and the node's height and index among that tile's subtrees."""
    level, height_in_tile = divmod(node.height, TILE_HEIGHT)
    tile_index, index_in_tile = divmod(node.index, TILE_WIDTH >> height_in_tile)
    return TileKey(level, tile_index), height_in_tile, index_in_tile


def node_hashes(nodes: Iterable[Node], read_layers: LayerReader) -> dict[Node, bytes]:
    """The hashes of complete subtrees, read from their tiles' layers in one batch.

    Precondition: every node lies inside the tree that the tiles hold; a missing hash raises KeyError in the
    caller's store, which the log turns into a domain error before it gets here.
    """
    placements = {node: _place(node) for node in nodes}
    widths: dict[TileKey, int] = {}
    for key, height, index in placements.values():
        widths[key] = max(widths.get(key, 0), (index + 1) << height)
    layers = read_layers(widths)
    return {node: layers[key].subtree_hash(height, index) for node, (key, height, index) in placements.items()}


def layers_reader(read_tiles: TileReader) -> LayerReader:
    """A LayerReader that builds layers afresh from `read_tiles`, over just the bottom hashes it is asked for."""

    def read_layers(widths: Mapping[TileKey, int]) -> dict[TileKey, TileLayers]:
        tiles = read_tiles(widths.keys())
        return {key: TileLayers.of(tiles[key][: width * HASH_SIZE]) for key, width in widths.items()}

    return read_layers


def partial_tile_keys(tree_size: int) -> list[TileKey]:
    """The rightmost, partial tile of every level: the only tiles an append extends rather than creates."""
    keys = []
    level = 0
    while (size := level_size(tree_size, level)) > 0:
        if size % TILE_WIDTH:
            keys.append(TileKey(level, size // TILE_WIDTH))
        level += 1
    return keys


def extend_tiles(
    tree_size: int, leaf_hashes: Sequence[bytes], partial_tiles: Mapping[TileKey, bytes]
) -> dict[TileKey, bytes]:
    """The tiles that appending `leaf_hashes` to a tree of `tree_size` leaves creates or changes.

    `partial_tiles` must hold the current contents of `partial_tile_keys(tree_size)`.
    """
    changed: dict[TileKey, bytes] = {}
    new_hashes = list(leaf_hashes)
    level = 0
    while new_hashes:
        size = level_size(tree_size, level)
        first_tile = size // TILE_WIDTH
        carried = partial_tiles.get(TileKey(level, first_tile), b"") if size % TILE_WIDTH else b""
        # Hashes of this level from the start of its first touched tile to its new end.
        run = _split_hashes(carried) + new_hashes
        completed_roots = []
        for offset in range(0, len(run), TILE_WIDTH):
            chunk = run[offset : offset + TILE_WIDTH]
            tile = b"".join(chunk)
            changed[TileKey(level, first_tile + offset // TILE_WIDTH)] = tile
            if len(chunk) == TILE_WIDTH:
                completed_roots.append(TileLayers.of(tile).subtree_hash(TILE_HEIGHT, 0))
        new_hashes = completed_roots
        level += 1
    return changed
