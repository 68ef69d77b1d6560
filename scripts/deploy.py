"""Deploy the contracts from brownie and write the deployment file.

    brownie run scripts/deploy.py [--network NETWORK]

The deployer is brownie's first account; the file goes to $CARBONLEDGER_DEPLOYMENT, by default
deployment.json in the state folder ($CARBONLEDGER_HOME, .carbonledger). The deployment itself is oracle.contracts.deploy, so brownie and the Python side
deploy, wire and record the contracts the same way (its compiler settings are brownie-config.yaml's, and the
bytecode is the same as brownie's build).
"""

from __future__ import annotations

import os
from pathlib import Path

import brownie
from eth_account import Account

from oracle.contracts import DEFAULT_DEPLOYMENT_PATH, deploy


def main() -> None:
    deployer = brownie.accounts[0]
    # An account brownie holds the key of signs locally; a node-managed (unlocked) account sends by address.
    signer = Account.from_key(deployer.private_key) if hasattr(deployer, "private_key") else deployer.address
    path = Path(os.environ.get("CARBONLEDGER_DEPLOYMENT", str(DEFAULT_DEPLOYMENT_PATH)))
    deployment = deploy(brownie.web3, signer, deployment_path=path)
    for name, contract in deployment.contracts.items():
        print(f"{name}: {contract.address}")
    print(f"chain {deployment.chain_id}, block {deployment.block_number}; wrote {path}")
