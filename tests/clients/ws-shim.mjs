// polkadot-api 2.x expects a global WebSocket (Node >= 22 has one); older Node gets the `ws` package's.
import { WebSocket } from 'ws';

globalThis.WebSocket ??= WebSocket;
