import { execFile } from 'node:child_process';

/**
 * `wsl.exe -l -q` prints UTF-16LE (with a BOM on some builds), one distribution per line,
 * CRLF-terminated. Returns the names.
 */
export function parseWslList(output: Buffer): string[] {
  let text = output.toString('utf16le');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text
    .replace(/\0/g, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** Distributions installed under WSL; always empty off Windows or when WSL is absent. */
export function listWslDistros(timeoutMs = 5000): Promise<string[]> {
  if (process.platform !== 'win32') return Promise.resolve([]);
  return new Promise((resolve) => {
    execFile('wsl.exe', ['-l', '-q'], { encoding: 'buffer', timeout: timeoutMs, windowsHide: true }, (err, stdout) => {
      resolve(err ? [] : parseWslList(stdout));
    });
  });
}

/** What to spawn for a WSL terminal: the distribution's default shell, starting in its home. */
export function wslSpawn(distro: string): { file: string; args: string[] } {
  return { file: 'wsl.exe', args: ['-d', distro, '--cd', '~'] };
}
