"""Emission calculation: activity × emission factor (per gas) × GWP → grams CO2e, with a receipt.

The factor library (versioned, cited datasets under `data/`), the GWP sets, unit conversion and the
calculation receipt that lets `recompute` reproduce a record's figures offline.
"""
