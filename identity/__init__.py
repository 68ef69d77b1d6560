"""Actors and their keys: Ethereum accounts named as did:pkh, encrypted keystores, device keys."""
