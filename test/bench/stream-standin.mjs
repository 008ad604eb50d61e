// The chat benchmarks' provider: OpenAI chat-completions streaming, one token per chunk, in a
// process of its own, as a provider is a program apart from both its client and Atelier (in the
// bench's own process, reading it "directly" would cross no process at all, so a relay's figure
// would also carry the hop the direct path skipped). Each token carries the time it was written
// on the machine's monotonic clock, in µs (`<stream:i:t>`), which every process here shares, so
// a reader anywhere knows its latency. Run as a child: `node stream-standin.mjs '<scripts>'`,
// the scripts as JSON `{<model>: {tokens, intervalMs}}` (the request's `model` picks one, else
// the first); it sends its base URL to the parent over IPC.
import { createServer } from 'node:http';

const SCRIPTS = JSON.parse(process.argv[2]);
const FALLBACK = Object.values(SCRIPTS)[0];

let streams = 0;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const { model } = JSON.parse(body);
    const { tokens, intervalMs } = SCRIPTS[model] ?? FALLBACK;
    const stream = streams++;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta, finish = null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }));
    let i = 0;
    const timer = setInterval(() => {
      if (i < tokens) {
        res.write(chunk({ content: `<${stream}:${i}:${process.hrtime.bigint() / 1000n}>` }));
        i++;
        return;
      }
      clearInterval(timer);
      res.write(chunk({}, 'stop'));
      res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model, choices: [], usage: { prompt_tokens: 5, completion_tokens: tokens, total_tokens: tokens + 5 } })}\n\n`);
      res.end('data: [DONE]\n\n');
    }, intervalMs);
    res.on('close', () => clearInterval(timer));
  });
});
server.listen(0, '127.0.0.1', () => process.send(`http://127.0.0.1:${server.address().port}/v1`));
process.on('disconnect', () => process.exit(0));
