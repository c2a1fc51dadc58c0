// benchmarks/bench_node.py helper: N transfers with polkadot.js default options, submit -> InBlock.
// Usage: node bench_pjs.mjs ws://127.0.0.1:PORT N   -> prints {"ms": [...]}
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const [url, n] = [process.argv[2], Number(process.argv[3] || 10)];
await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url) });
const keyring = new Keyring({ type: 'sr25519' });
const charlie = keyring.addFromUri('//Charlie');
const dave = keyring.addFromUri('//Dave');
const ms = [];
for (let i = 0; i < n; i++) {
  const tx = api.tx.balances.transferKeepAlive(dave.address, 10n ** 18n);
  await tx.signAsync(charlie); // signing (nonce, era lookups) is not part of the round trip
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    tx.send((r) => { if (r.isError) reject(new Error(r.status.type)); if (r.status.isInBlock) resolve(); }).catch(reject);
  });
  ms.push(performance.now() - t0);
}
console.log(JSON.stringify({ ms }));
await api.disconnect();
