// The physical limit for scale.bench.mjs: a bare `ws` server, in a process of its own as the Operator is,
// that answers every binary frame with the same bytes, with the Operator's socket options (no
// compression, no client tracking). Prints `{"port"}` once listening; stops when stdin closes.

import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false, maxPayload: 1 << 20 });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
wss.once('listening', () => process.stdout.write(`${JSON.stringify({ port: wss.address().port })}\n`));
process.stdin.resume();
process.stdin.once('end', () => process.exit(0));
