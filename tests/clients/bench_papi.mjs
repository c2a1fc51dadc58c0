// benchmarks/bench_node.py helper: N transfers with polkadot-api, submit -> found in a best block.
// Usage: node --import ./ws-shim.mjs bench_papi.mjs ws://127.0.0.1:PORT N   -> prints {"ms": [...], "methods": {...}}
// The unsafe API needs no generated descriptors; the client reads the runtime's metadata itself.
import { createClient, Enum } from 'polkadot-api';
import { getWsProvider } from 'polkadot-api/ws';
import { getPolkadotSigner } from 'polkadot-api/signer';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const [url, n] = [process.argv[2], Number(process.argv[3] || 10)];
await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519' });
const eve = keyring.addFromUri('//Eve');
const dave = keyring.addFromUri('//Dave');
const signer = getPolkadotSigner(eve.publicKey, 'Sr25519', (payload) => eve.sign(payload));
const client = createClient(getWsProvider(url));
const api = client.getUnsafeApi();
await api.query.System.Number.getValue(); // runtime loaded before timing
const ms = [];
for (let i = 0; i < n; i++) {
  const tx = api.tx.Balances.transfer_keep_alive({ dest: Enum('Id', dave.address), value: 10n ** 18n });
  ms.push(await new Promise((resolve, reject) => {
    let t0 = null;
    const sub = tx.signSubmitAndWatch(signer).subscribe({
      next: (ev) => {
        if (ev.type === 'signed') t0 = performance.now(); // signing is not part of the round trip
        if (ev.type === 'txBestBlocksState' && ev.found) { sub.unsubscribe(); resolve(performance.now() - t0); }
      },
      error: reject,
    });
  }));
}
console.log(JSON.stringify({ ms }));
client.destroy();
