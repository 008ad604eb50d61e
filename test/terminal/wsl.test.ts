import { describe, expect, it } from 'vitest';
import { listWslDistros, parseWslList, wslSpawn } from '../../server/src/terminal/wsl.js';

/** What `wsl.exe -l -q` writes: UTF-16LE, CRLF line ends, sometimes a BOM, sometimes NUL padding. */
function recorded(text: string, { bom = false } = {}): Buffer {
  const body = Buffer.from(text, 'utf16le');
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}

describe('WSL distributions', () => {
  it('parses the UTF-16LE output of wsl.exe -l -q', () => {
    expect(parseWslList(recorded('Ubuntu-22.04\r\nDebian\r\n'))).toEqual(['Ubuntu-22.04', 'Debian']);
  });

  it('drops a byte-order mark, blank lines and NUL padding', () => {
    expect(parseWslList(recorded('Ubuntu\r\n\r\nkali-linux\r\n\0\0', { bom: true }))).toEqual(['Ubuntu', 'kali-linux']);
  });

  it('returns nothing for empty output (no distribution installed)', () => {
    expect(parseWslList(Buffer.alloc(0))).toEqual([]);
  });

  it('keeps names with dots, dashes and spaces intact', () => {
    expect(parseWslList(recorded('Ubuntu 24.04 LTS\r\nopenSUSE-Tumbleweed\r\n'))).toEqual(['Ubuntu 24.04 LTS', 'openSUSE-Tumbleweed']);
  });

  it('starts a distribution with wsl.exe -d <name> in its home', () => {
    expect(wslSpawn('Ubuntu 24.04 LTS')).toEqual({ file: 'wsl.exe', args: ['-d', 'Ubuntu 24.04 LTS', '--cd', '~'] });
  });

  it('lists no distributions off Windows', async () => {
    expect(process.platform).not.toBe('win32');
    expect(await listWslDistros()).toEqual([]);
  });
});
