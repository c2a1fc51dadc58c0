"""Types shared by several pallets (tangle-primitives): assets, delegation, slashing."""
