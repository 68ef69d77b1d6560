"""Check that a native solc gives the same bytecode as the solc-js bridge for every contract.

Compiles contracts/ twice with the same standard-JSON input (brownie-config.yaml's settings): once through
scripts/solc (solc-js) and once with the native binary given, which must report the same version. Prints
each contract's bytecode hash from both and exits 1 on any difference.

Usage: python scripts/compare_solc.py /path/to/native/solc-0.8.37
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

from oracle.contracts import SOLC_BINARY, compile_contracts


def version_of(binary: Path) -> str:
    line = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[-1]
    return line.removeprefix("Version: ").split("+commit.")[0] + "+commit." + line.split("+commit.")[1][:8]


def main() -> int:
    native = Path(sys.argv[1])
    bridge_version, native_version = version_of(SOLC_BINARY), version_of(native)
    print(f"bridge {bridge_version}; native {native_version}")
    if bridge_version != native_version:
        print("versions differ: nothing to compare")
        return 1
    with tempfile.TemporaryDirectory() as bridge_cache, tempfile.TemporaryDirectory() as native_cache:
        from_bridge = compile_contracts(Path(bridge_cache), SOLC_BINARY)
        from_native = compile_contracts(Path(native_cache), native)
    differing = 0
    for name in sorted(from_bridge.keys() | from_native.keys()):
        left = from_bridge.get(name)
        right = from_native.get(name)
        same = left is not None and right is not None and left.bytecode == right.bytecode and left.abi == right.abi
        differing += not same
        digest = hashlib.sha256(left.bytecode).hexdigest()[:16] if left else "-"
        print(f"{'same' if same else 'DIFFERENT':<9} {name:<28} {digest}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
