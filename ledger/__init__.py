"""The domain core of carbon-ledger: records, 3D codes, canonical bytes, calculation and the Merkle log.

Imports only the standard library and small pure libraries; storage adapters live in their own modules.
"""
