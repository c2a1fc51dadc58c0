"""Pure-Python models of the Tangle testnet runtime's pallets, one package per pallet."""
