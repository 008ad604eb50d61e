// The floor for the chat relay benchmark: the least a Node process can do to relay a stream —
// POST upstream with node:http, split the SSE events, JSON.parse each, write one SSE event per
// token. No auth, storage, validation or tool loop. Run as a child: `node minimal-relay.mjs <upstream url>`;
// it sends its port to the parent over IPC.
import { createServer, request } from 'node:http';

const upstream = process.argv[2];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const up = request(upstream, { method: 'POST', headers: { 'content-type': 'application/json' } }, (answer) => {
      let buffer = '';
      answer.setEncoding('utf8');
      answer.on('data', (text) => {
        buffer += text;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const data = buffer.slice(6, end);
          buffer = buffer.slice(end + 2);
          if (data === '[DONE]') continue;
          const content = JSON.parse(data).choices?.[0]?.delta?.content;
          if (content) res.write(`data: ${JSON.stringify({ content })}\n\n`);
        }
      });
      answer.on('end', () => res.end('data: {"done":"true"}\n\n'));
    });
    up.end(JSON.stringify({ ...JSON.parse(body || '{}'), stream: true }));
  });
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
