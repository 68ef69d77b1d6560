"""Security headers on every response: scripts and styles only from this origin, no framing, no sniffing.

The content security policy allows no inline script or style, so templates carry neither (not even `style=`
attributes); the verify page's JavaScript is a file under /static. `connect-src` also names the origin of the
chain's JSON-RPC endpoint (RPC_URL), because the verify page reads anchored roots from the chain itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app


def content_security_policy(rpc_url: str) -> str:
    """The policy, letting pages connect to this origin and to the origin of `rpc_url` (if it is a web URL)."""
    parts = urlsplit(rpc_url)
    rpc_origin = f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            f"connect-src 'self'{rpc_origin}",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", content_security_policy(current_app.config["RPC_URL"]))
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(_add_security_headers)
