"""The explorer and JSON API: read-only pages and /api/v1 over the ledger's Merkle log, and a verify page.

`create_app` (webapp/app.py) builds the Flask app; `flask --app webapp run` and `carbonledger serve` find it here.
"""

from webapp.app import create_app

__all__ = ["create_app"]
