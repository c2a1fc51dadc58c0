// polkadot-api (typed API, descriptors generated from the node by `papi add -w`) against
// `tangle-sim node`, over the node's own new JSON-RPC spec methods (chainHead_v1, transaction_v1).
// Usage: node --import ./ws-shim.mjs papi_flow.mjs ws://127.0.0.1:PORT DESCRIPTORS_DIR
// Prints one JSON line per check ({"check": name, ...}); exits non-zero on the first failure.
// No uncaughtException/unhandledRejection handler: any client error ends the process with a trace.
import { createClient, Enum } from 'polkadot-api';
import { getWsProvider } from 'polkadot-api/ws';
import { getPolkadotSigner } from 'polkadot-api/signer';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { pathToFileURL } from 'node:url';

const [url, descriptorsDir] = process.argv.slice(2);
const UNIT = 10n ** 18n;
const report = (check, data = {}) => console.log(JSON.stringify({ check, ...data }, (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
const fail = (msg) => { throw new Error(msg); };

const { tangle } = await import(pathToFileURL(`${descriptorsDir}/dist/index.js`).href);
await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const account = (uri) => {
  const pair = keyring.addFromUri(uri);
  return { address: pair.address, signer: getPolkadotSigner(pair.publicKey, 'Sr25519', (payload) => pair.sign(payload)) };
};
const [alice, bob, ferdie] = ['//Alice', '//Bob', '//Ferdie'].map(account);

const client = createClient(getWsProvider(url));
const api = client.getTypedApi(tangle);

// the chainHead_v1_follow subscription behind client.blocks$: every new block it reports
const blocks = [];
const follow = client.blocks$.subscribe({ next: (b) => blocks.push(b.number), error: (e) => { throw e; } });

const spec = await client.getChainSpecData();
report('connected', { name: spec.name, genesis: spec.genesisHash, ss58: spec.properties.ss58Format });

// typed storage read
const aliceAccount = await api.query.System.Account.getValue(alice.address);
if (aliceAccount.data.free <= 0n) fail('Alice has no balance');
const bobBefore = (await api.query.System.Account.getValue(bob.address)).data.free;
report('storage', { aliceFree: aliceAccount.data.free, aliceNonce: aliceAccount.nonce, bobFree: bobBefore });

// typed transaction signed by a dev key, watched to finalization
const watch = (tx, signer) => new Promise((resolve, reject) => {
  const types = [];
  let t0 = performance.now();
  let inBlockMs = null;
  tx.signSubmitAndWatch(signer).subscribe({
    next: (ev) => {
      types.push(ev.type === 'txBestBlocksState' ? `${ev.type}:${ev.found}` : ev.type);
      if (ev.type === 'signed') t0 = performance.now();
      if (ev.type === 'txBestBlocksState' && ev.found && inBlockMs === null) inBlockMs = performance.now() - t0;
      if (ev.type === 'finalized') resolve({ ev, types, inBlockMs });
    },
    error: reject,
  });
});
const transfer = api.tx.Balances.transfer_keep_alive({ dest: Enum('Id', bob.address), value: 2n * UNIT });
const { ev: done, types, inBlockMs } = await watch(transfer, alice.signer);
if (!done.ok) fail(`transfer failed: ${JSON.stringify(done.dispatchError)}`);
const names = done.events.map((e) => `${e.type}.${e.value.type}`);
if (!names.includes('Balances.Transfer') || !names.includes('System.ExtrinsicSuccess')) fail(`events ${names}`);
const feePaid = done.events.find((e) => e.type === 'TransactionPayment' && e.value.type === 'TransactionFeePaid');
if (!feePaid || feePaid.value.value.actual_fee <= 0n) fail('no TransactionFeePaid with an amount');
const bobAfter = (await api.query.System.Account.getValue(bob.address, { at: done.block.hash })).data.free;
if (bobAfter - bobBefore !== 2n * UNIT) fail(`Bob ${bobBefore} -> ${bobAfter}`);
report('transfer', { statuses: types, block: done.block, events: names, actualFee: feePaid.value.value.actual_fee, bobAfter, inBlockMs });

// a failing transaction: its dispatch error decoded from System.ExtrinsicFailed
const tooMuch = api.tx.Balances.transfer_keep_alive({ dest: Enum('Id', bob.address), value: 10n ** 30n });
const failed = await tooMuch.signAndSubmit(ferdie.signer);
if (failed.ok) fail('a transfer of 10^30 succeeded');
report('dispatch error', { error: failed.dispatchError, events: failed.events.map((e) => `${e.type}.${e.value.type}`) });

if (blocks.length < 2 || !blocks.includes(done.block.number)) fail(`blocks$ saw ${blocks}`);
report('follow', { blocks });
follow.unsubscribe();
client.destroy();
report('done');
