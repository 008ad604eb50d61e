/**
 * Worker thread holding one headless xterm per terminal session, fed with its output, so a
 * page that reloads gets the screen and scrollback back. Parsing runs here, off the thread
 * that moves bytes between PTYs and sockets (it costs about as much as the transfer itself).
 */
import { parentPort } from 'node:worker_threads';
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import type { MirrorReply, MirrorRequest } from './mirror-protocol.js';

interface Mirror {
  term: InstanceType<typeof headless.Terminal>;
  serializer: InstanceType<typeof serialize.SerializeAddon>;
}

const mirrors = new Map<string, Mirror>();
const port = parentPort!;
const reply = (message: MirrorReply): void => port.postMessage(message);

port.on('message', (msg: MirrorRequest) => {
  if (msg.op === 'create') {
    const term = new headless.Terminal({ cols: msg.cols, rows: msg.rows, scrollback: msg.scrollback, allowProposedApi: true });
    const serializer = new serialize.SerializeAddon();
    term.loadAddon(serializer);
    mirrors.set(msg.id, { term, serializer });
    return;
  }
  const mirror = mirrors.get(msg.id);
  switch (msg.op) {
    case 'write': {
      const bytes = msg.data.byteLength;
      // Ack even for a disposed mirror so the sender's count of in-flight bytes stays right.
      if (!mirror) return reply({ op: 'written', id: msg.id, bytes });
      mirror.term.write(msg.data, () => reply({ op: 'written', id: msg.id, bytes }));
      return;
    }
    case 'resize':
      mirror?.term.resize(msg.cols, msg.rows);
      return;
    case 'serialize':
      // write() is queued: serialize once everything sent before this request is parsed.
      if (!mirror) return reply({ op: 'serialized', request: msg.request, data: '' });
      mirror.term.write('', () => reply({ op: 'serialized', request: msg.request, data: mirror.serializer.serialize() }));
      return;
    case 'dispose':
      mirror?.term.dispose();
      mirrors.delete(msg.id);
      return;
  }
});
