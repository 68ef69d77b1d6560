"""Where a key password comes from: the CARBONLEDGER_KEY_PASSWORD environment variable, or a prompt.

Never from a configuration file or a command-line argument (both end up in shell histories, process lists
and backups), and never echoed, printed or logged.
"""

from __future__ import annotations

import getpass
import os
import sys

from identity.errors import PasswordError

PASSWORD_VARIABLE = "CARBONLEDGER_KEY_PASSWORD"


def key_password(*, confirm: bool = False) -> str:
    """The key password from the environment, else typed at the terminal (twice when `confirm`).

    PasswordError if the environment holds none and there is no terminal to ask, if it is empty, or if the
    two typed copies differ.
    """
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        if not sys.stdin.isatty():
            raise PasswordError(f"no key password: set {PASSWORD_VARIABLE} or run in a terminal")
        password = getpass.getpass("key password: ")
        if confirm and getpass.getpass("key password again: ") != password:
            raise PasswordError("the two passwords differ")
    if not password:
        raise PasswordError("the key password is empty")
    return password
