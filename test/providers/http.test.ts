import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_JSON_MAX_BYTES } from '../../server/src/limits.js';
import { requestJson } from '../../server/src/providers/http.js';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';

let standin: ProviderStandin;
beforeAll(async () => {
  standin = await startProviderStandin();
});
afterAll(() => standin.close());

/** A JSON body of exactly `bytes` bytes whose text is two-byte characters (é), so it has far fewer characters. */
function multiByteBody(bytes: number): string {
  const frame = Buffer.byteLength('{"s":""}');
  const body = `{"s":"${'é'.repeat(Math.floor((bytes - frame) / 2))}${(bytes - frame) % 2 ? 'x' : ''}"}`;
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

function answer(path: string, body: string): void {
  standin.route('GET', path, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
}

const call = (path: string) => requestJson({ url: `${standin.url}${path}`, method: 'GET', headers: {}, ctx: { label: 'stand-in', key: '' } });

describe('requestJson size limit', () => {
  it('reads a multi-byte JSON answer of exactly PROVIDER_JSON_MAX_BYTES bytes', async () => {
    answer('/at-limit', multiByteBody(PROVIDER_JSON_MAX_BYTES));
    const parsed = (await call('/at-limit')) as { s: string };
    expect(parsed.s.length).toBeLessThan(PROVIDER_JSON_MAX_BYTES / 2);
  });

  it('refuses a multi-byte JSON answer one byte over the limit, though it has fewer characters than the limit', async () => {
    const body = multiByteBody(PROVIDER_JSON_MAX_BYTES + 1);
    expect(body.length).toBeLessThan(PROVIDER_JSON_MAX_BYTES);
    answer('/over-limit', body);
    await expect(call('/over-limit')).rejects.toMatchObject({ code: 'PROVIDER_BAD_STREAM', message: expect.stringContaining(`exceeded ${PROVIDER_JSON_MAX_BYTES} bytes`) });
  });
});
