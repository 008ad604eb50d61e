import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import type { TestServer } from '../helpers/server.js';

/** A JSON request to the test server; the parsed answer with its status. */
export async function call(server: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await server.fetch(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : method === 'GET' ? {} : { body: '{}' }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Writes a skill folder: SKILL.md from front matter lines and a body, plus other files (`mode` 0o755 for scripts). */
export function writeSkill(dir: string, frontmatter: string, body: string, files: Record<string, string | { data: string; mode: number }> = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'SKILL.md'), `---\n${frontmatter.trim()}\n---\n\n${body}`);
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    const { data, mode } = typeof content === 'string' ? { data: content, mode: 0o644 } : content;
    writeFileSync(target, data);
    chmodSync(target, mode);
  }
}

/** SKILL.md text with the given front matter lines and body. */
export function skillMd(frontmatter: string, body = '# Steps\n\nDo the thing.\n'): string {
  return `---\n${frontmatter.trim()}\n---\n\n${body}`;
}

/** Everything under a folder (relative paths), or [] when it does not exist. */
export function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** The regular files under a folder (relative paths), sorted. */
export function filesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** One entry of a hand-built zip. */
export interface RawEntry {
  name: string;
  data?: Buffer;
  /** 0 stored, 8 deflate (default). */
  method?: 0 | 8;
  /** Unix st_mode stored in the high half of the external attributes (default 0o100644). */
  unixMode?: number;
  /** Uncompressed size written in the headers, when it should lie. */
  declaredSize?: number;
}

/**
 * A zip written byte by byte (APPNOTE 4.3: local headers, central directory, end record), for
 * the entries zip libraries refuse to write: `../` names, absolute paths, symbolic links,
 * sizes that lie.
 */
export function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = e.data ?? Buffer.alloc(0);
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const crc = crc32(data);
    const size = e.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30);
    central.writeUInt16LE(0, 32);
    central.writeUInt16LE(0, 34);
    central.writeUInt16LE(0, 36);
    central.writeUInt32LE(((e.unixMode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A minimal valid SKILL.md for `name`, as bytes. */
export function minimalSkill(name: string): Buffer {
  return Buffer.from(skillMd(`name: ${name}\ndescription: A test skill. Use when testing imports.`));
}
