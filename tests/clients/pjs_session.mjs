// polkadot.js' session and era progress against `tangle-sim node`: derive.session.progress reads
// Babe.CurrentSlot / EpochIndex / GenesisSlot and consts.babe.epochDuration, and default signing picks
// its mortal era from consts.babe.expectedBlockTime.
// Usage: node pjs_session.mjs ws://127.0.0.1:PORT
// Prints one JSON line per check ({"check": name, ...}); exits non-zero on the first failure.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const url = process.argv[2];
const report = (check, data = {}) => console.log(JSON.stringify({ check, ...data }));

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url) });
const head = await api.rpc.chain.getHeader();
const progress = await api.derive.session.progress();
report('progress', {
  head: head.number.toNumber(),
  isEpoch: progress.isEpoch,
  sessionLength: progress.sessionLength.toNumber(),
  sessionProgress: progress.sessionProgress.toNumber(),
  currentIndex: progress.currentIndex.toNumber(),
  expectedBlockTime: api.consts.babe.expectedBlockTime.toNumber()
});
const alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice');
const tx = await api.tx.system.remark('0x01').signAsync(alice); // default options: a mortal era
report('mortal era', { period: tx.era.asMortalEra.period.toNumber(), birth: tx.era.asMortalEra.birth(head.number.toNumber()) });
await api.disconnect();
report('done');
