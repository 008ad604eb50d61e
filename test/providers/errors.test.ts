import { describe, expect, it } from 'vitest';
import { messageOf, parseRetryAfter, redactKey } from '../../server/src/providers/errors.js';

describe('provider error details', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it.each([
    ['OpenAI', '{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}', 'Incorrect API key'],
    ['Anthropic', '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', 'Overloaded'],
    ['Ollama', '{"error":"model \\"llama9\\" not found"}', 'model "llama9" not found'],
    ['Z.AI', '{"code":1113,"msg":"Insufficient balance","success":false}', 'Insufficient balance'],
    ['MiniMax', '{"base_resp":{"status_code":2049,"status_msg":"invalid api key"}}', 'invalid api key'],
    ['a proxy', '<html>\n<body>Bad   Gateway</body></html>', '<html> <body>Bad Gateway</body></html>'],
  ])('quotes the message of a %s error body', (_vendor, body, message) => {
    expect(messageOf(body)).toBe(message);
  });

  it('scrubs the key from quoted text', () => {
    expect(redactKey('bad key sk-abcdef123 given', 'sk-abcdef123')).toBe('bad key *** given');
  });
});
