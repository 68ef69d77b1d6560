"""`carbonledger serve`: the explorer and JSON API on werkzeug's threaded development server.

The app reads its own configuration (CARBONLEDGER_DATABASE_URL, CARBONLEDGER_LOG_ORIGIN, ...; see
webapp/app.py). This server is for one machine; behind a proxy, run the app factory under a WSGI server instead.
"""

from __future__ import annotations

import argparse
import os
from typing import Any



def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1..65535)")
    return int(text)


def serve_explorer(host: str, port: int) -> int:
    """Serve the explorer until interrupted; the app configures itself from CARBONLEDGER_* variables."""
    # Imported here, not at the top: every other command would otherwise load Flask and the whole explorer.
    from werkzeug.serving import run_simple

    from webapp import create_app

    app = create_app()
    print(f"explorer for log {app.config['LOG_ORIGIN']} at http://{host}:{port}/", flush=True)
    run_simple(host, port, app, threaded=True)
    return 0


def _serve(arguments: argparse.Namespace) -> int:
    return serve_explorer(arguments.host, arguments.port)


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="run the explorer and JSON API")
    serve.add_argument("--host", default=os.environ.get("CARBONLEDGER_HOST", "127.0.0.1"),
                       help="address to listen on [CARBONLEDGER_HOST]")
    serve.add_argument("--port", type=_port, default=os.environ.get("CARBONLEDGER_PORT", "8000"),
                       help="TCP port [CARBONLEDGER_PORT]")
    serve.set_defaults(handler=_serve)
