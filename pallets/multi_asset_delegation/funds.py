"""Moving deposited assets between accounts and the pallet account (``PalletId(b"PotStake")``).

``Custom(0)`` is native TNT (Currency); any other ``Custom(id)`` is a pallet_assets id (Fungibles).
``Erc20`` tokens are moved by the EVM precompile on chain; the simulator has no EVM, so ERC-20
deposits, withdrawals and slashes are accounting only (documented deviation): the origin rules
(``evm_address`` + pallet origin) are kept so recorded calls behave the same.
"""

from __future__ import annotations

from runtime.accounts import evm_to_account, pallet_account
from runtime.errors import BadOrigin
from runtime.origin import Origin, ensure_signed

from pallets.primitives.assets import Asset


class Funds:
    """Transfers in and out of the pallet account, shared by deposits, withdrawals and slashing."""

    _pot_cache: tuple[bytes, str] = (b"", "")

    @property
    def _pot(self) -> str:
        """The pallet account (``PalletId.into_account_truncating()``), cached per PalletId value."""
        pid = self.consts.PalletId
        cached = self._pot_cache
        if cached[0] != pid:
            cached = (pid, pallet_account(pid))
            self._pot_cache = cached
        return cached[1]

    def pallet_account(self) -> str:
        return self._pot

    def ensure_pallet(self, origin: Origin) -> None:
        """``ensure_pallet``: the origin must be Signed(pallet account) (how the EVM precompile dispatches)."""
        if ensure_signed(origin) != self._pot:
            raise BadOrigin()

    @staticmethod
    def evm_account(address: str) -> str:
        return evm_to_account(address)

    def transfer_asset(self, asset: Asset, source: str, dest: str, amount: int) -> None:
        """Move ``amount`` of ``asset`` (AllowDeath / Expendable, as the real pallet does)."""
        if asset.name == "Erc20":
            return
        if asset.value == 0:
            self.currency.transfer(source, dest, amount, keep_alive=False)
        else:
            self.fungibles.transfer(asset.value, source, dest, amount, keep_alive=False)

    def try_transfer_asset(self, asset: Asset, source: str, dest: str, amount: int) -> bool:
        """Like :meth:`transfer_asset` but a failure is tolerated (its writes undone): returns success."""
        from runtime.errors import DispatchError

        try:
            self.ctx.transactional(lambda: self.transfer_asset(asset, source, dest, amount))
        except DispatchError:
            return False
        return True
