"""Sub-commands of the `carbonledger` command line, one module per area."""
