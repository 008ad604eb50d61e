// The floor for the terminal throughput benchmark: the least a Node server can do to put a PTY
// on a WebSocket — node-pty read as bytes, reads coalesced for 3 ms into one binary frame (as
// Atelier does, without its 256 KB frame cap, which 3 ms of output here stays under), `ws`
// without compression. No auth, flow control, mirror, sessions or
// validation. Run as a child: `node minimal-terminal.mjs`; it sends its port to the parent over
// IPC. Messages in: {type:'input', data} (anything else is ignored).
import pty from 'node-pty';
import { WebSocketServer } from 'ws';

const COALESCE_MS = 3;
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('listening', () => process.send(wss.address().port));
wss.on('connection', (ws) => {
  const term = pty.spawn('/bin/bash', ['--norc', '--noprofile'], { cols: 120, rows: 40, env: { ...process.env, TERM: 'xterm-256color', PS1: '$ ' }, encoding: null });
  let chunks = [];
  let bytes = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (bytes === 0) return;
    ws.send(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes), { binary: true });
    chunks = [];
    bytes = 0;
  };
  term.onData((d) => {
    chunks.push(d);
    bytes += d.length;
    if (scheduled) return;
    scheduled = true;
    if (d.length >= 1024) setTimeout(flush, COALESCE_MS);
    else setImmediate(flush);
  });
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw);
    if (msg.type === 'input') term.write(msg.data);
  });
  ws.on('close', () => term.kill());
});
process.on('disconnect', () => process.exit(0));
