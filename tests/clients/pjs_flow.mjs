// polkadot.js with default options against `tangle-sim node`: the flow of issue 17.
// Usage: node pjs_flow.mjs ws://127.0.0.1:PORT
// Prints one JSON line per check ({"check": name, ...}); exits non-zero on the first failure.
// No uncaughtException/unhandledRejection handler: any client error ends the process with a trace.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const url = process.argv[2];
const UNIT = 10n ** 18n;
const report = (check, data = {}) => console.log(JSON.stringify({ check, ...data }));
const fail = (msg) => { throw new Error(msg); };

function sendAndWait (tx, signer, until = 'isInBlock') {
  // default signAndSend options: mortal era, nonce looked up by the client
  return new Promise((resolve, reject) => {
    const statuses = [];
    tx.signAndSend(signer, (result) => {
      statuses.push(result.status.type);
      if (result.isError) reject(new Error(`status ${result.status.type}`));
      if (result.status[until]) resolve({ result, statuses });
    }).catch(reject);
  });
}
const sendAndWaitInBlock = (tx, signer) => sendAndWait(tx, signer, 'isInBlock');

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url) });
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');
const ferdie = keyring.addFromUri('//Ferdie');
report('connected', { chain: (await api.rpc.system.chain()).toString(), spec: api.runtimeVersion.specVersion.toNumber(), metadata: api.runtimeMetadata.version });

// query.multi (a storage subscription under the hood) and an explicit subscription
const [a0, b0] = await api.query.system.account.multi([alice.address, bob.address]);
if (a0.data.free.toBigInt() === 0n) fail('Alice has no balance');
report('query.multi', { alice: a0.data.free.toString(), bob: b0.data.free.toString() });

const seen = [];
const unsubBob = await api.query.system.account(bob.address, (acc) => seen.push(acc.data.free.toBigInt()));

// paymentInfo
const transfer = api.tx.balances.transferKeepAlive(bob.address, 2n * UNIT);
const info = await transfer.paymentInfo(alice);
if (info.partialFee.toBigInt() <= 0n) fail('zero fee quoted');
report('paymentInfo', { partialFee: info.partialFee.toString(), weight: info.weight.refTime.toString() });

// derive.chain.subscribeNewHeads
const heads = [];
const unsubHeads = await api.derive.chain.subscribeNewHeads((h) => heads.push(h.number.toNumber()));

// signAndSend with defaults, waiting for isInBlock
const t0 = performance.now();
const { result, statuses } = await sendAndWaitInBlock(transfer, alice);
const inBlockMs = performance.now() - t0;
const blockHash = result.status.asInBlock.toHex();
const names = result.events.map(({ event }) => `${event.section}.${event.method}`);
if (!names.includes('balances.Transfer') || !names.includes('system.ExtrinsicSuccess')) fail(`events ${names}`);
const feePaid = result.events.find(({ event }) => event.method === 'TransactionFeePaid');
if (!feePaid || feePaid.event.data[1].toBigInt() <= 0n) fail('no TransactionFeePaid with an amount');
report('signAndSend', { blockHash, statuses, events: names, actualFee: feePaid.event.data[1].toString(), inBlockMs });

// the block: header hash computed by the client = node's hash; api.at(parent) shows the old balance
const header = await api.rpc.chain.getHeader(blockHash);
if (header.hash.toHex() !== blockHash) fail(`client hash ${header.hash.toHex()} != node hash ${blockHash}`);
const signedBlock = await api.rpc.chain.getBlock(blockHash);
const apiAtParent = await api.at(header.parentHash);
const bobBefore = (await apiAtParent.query.system.account(bob.address)).data.free.toBigInt();
const bobNow = (await api.query.system.account(bob.address)).data.free.toBigInt();
if (bobNow - bobBefore !== 2n * UNIT) fail(`api.at(parent): ${bobBefore} -> ${bobNow}`);
report('api.at', { parent: header.parentHash.toHex(), bobBefore: bobBefore.toString(), bobNow: bobNow.toString(), extrinsics: signedBlock.block.extrinsics.length });

// the storage subscription saw the change
await new Promise((resolve) => setTimeout(resolve, 300));
if (!seen.includes(bobNow)) fail(`storage subscription saw ${seen}`);
report('subscription', { values: seen.map(String) });

// a Services call, and a module error decoded from ExtrinsicFailed
const svc = await sendAndWaitInBlock(api.tx.services.request(null, 999999, [], [bob.address], [], [], 100, { Custom: 0 }, 0, { Fixed: { minOperators: 1 } }), alice).catch((e) => ({ error: e }));
let moduleError;
if (svc.error) fail(`Services call: ${svc.error}`);
const failed = svc.result.events.find(({ event }) => api.events.system.ExtrinsicFailed.is(event));
if (!failed) fail('a request for an unknown blueprint succeeded');
const dispatchError = failed.event.data[0];
if (!dispatchError.isModule) fail(`not a module error: ${dispatchError.toString()}`);
moduleError = api.registry.findMetaError(dispatchError.asModule);
if (moduleError.section !== 'services') fail(`error from ${moduleError.section}`);
report('module error', { error: `${moduleError.section}.${moduleError.name}`, dispatchError: result.dispatchError ? 'unexpected' : null });

// another signer with the default nonce path, watched to finality: InBlock and Finalized both delivered
const fin = await sendAndWait(api.tx.balances.transferKeepAlive(ferdie.address, UNIT), bob, 'isFinalized');
if (fin.statuses.join(',') !== 'Ready,InBlock,Finalized') fail(`statuses ${fin.statuses}`);
report('finalized', { statuses: fin.statuses, finalizedHead: (await api.rpc.chain.getFinalizedHead()).toHex(), block: fin.result.status.asFinalized.toHex() });

if (heads.length < 2) fail(`derive.chain.subscribeNewHeads saw ${heads}`);
report('newHeads', { heads });
unsubHeads();
unsubBob();
await api.disconnect();
report('done');
