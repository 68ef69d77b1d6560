"""Security headers on every response: scripts and styles only from this origin, no framing, no sniffing.

The content security policy allows no inline script or style, so templates carry neither (not even `style=`
attributes); the verify page's JavaScript is a file under /static. `connect-src` will also have to name the
chain's JSON-RPC endpoint once the verify page reads roots from the chain.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(_add_security_headers)
