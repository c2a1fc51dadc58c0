// polkadot.js against `tangle-sim node`: utility batches with a failing inner call, the fee's
// event order and payment_queryFeeDetails (user7 findings A2, A3, B4).
// Usage: node pjs_batch_fees.mjs ws://127.0.0.1:PORT
// Prints one JSON line per check ({"check": name, ...}); no uncaughtException handler: a client
// error (a createType failure included) ends the process with a trace.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const report = (check, data = {}) => console.log(JSON.stringify({ check, ...data }));
const UNIT = 10n ** 18n;

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(process.argv[2]), noInitWarn: true });
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');
const dave = keyring.addFromUri('//Dave');

const inBlock = (tx, signer) => new Promise((resolve, reject) => {
  tx.signAndSend(signer, (r) => { if (r.isError) reject(new Error(r.status.type)); if (r.status.isInBlock) resolve(r); }).catch(reject);
});
const describe = (r) => r.events.map(({ event }) => {
  const name = `${event.section}.${event.method}`;
  if (event.method === 'BatchInterrupted' || event.method === 'ItemFailed') {
    const err = event.data.error;
    const meta = err.isModule ? api.registry.findMetaError(err.asModule) : null;
    return { name, error: meta ? `${meta.section}.${meta.name}` : err.toString(), index: event.data.index?.toString() ?? null };
  }
  return { name };
});

// a plain transfer: Withdraw, the call's events, then the fee's Deposit (post_dispatch)
const transfer = await inBlock(api.tx.balances.transferKeepAlive(bob.address, UNIT), alice);
report('transfer', { events: describe(transfer).map((e) => e.name) });

// make Dave an operator, so joinOperators as the 2nd call of a batch fails
await inBlock(api.tx.multiAssetDelegation.joinOperators(100n * UNIT), dave);
const calls = [
  api.tx.balances.transferKeepAlive(bob.address, UNIT),
  api.tx.multiAssetDelegation.joinOperators(100n * UNIT),
  api.tx.balances.transferKeepAlive(bob.address, UNIT),
];
for (const kind of ['batch', 'forceBatch']) {
  const r = await inBlock(api.tx.utility[kind](calls), dave);
  report(kind, { events: describe(r), dispatchError: r.dispatchError ? r.dispatchError.toString() : null });
}

// payment_queryFeeDetails: polkadot.js decodes the reply as FeeDetails (u128 Balance fields)
const txs = [['small', api.tx.balances.transferKeepAlive(bob.address, UNIT)], ['remark30k', api.tx.system.remark('0x' + 'ab'.repeat(30000))]];
for (const [name, tx] of txs) {
  const xt = await tx.signAsync(alice, { nonce: -1 });
  const details = await api.rpc.payment.queryFeeDetails(xt.toHex());
  const fee = details.inclusionFee.unwrap();
  const info = await tx.paymentInfo(alice); // polkadot.js' own estimate (the runtime API)
  report(`feeDetails ${name}`, {
    baseFee: fee.baseFee.toString(), lenFee: fee.lenFee.toString(), adjustedWeightFee: fee.adjustedWeightFee.toString(),
    partialFee: info.partialFee.toString(), length: xt.encodedLength,
  });
}
report('done');
await api.disconnect();
