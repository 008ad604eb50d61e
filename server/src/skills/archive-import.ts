import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type yauzl from 'yauzl';
import { lazyModule } from '../lazy-module.js';
import { AppError } from '../http/errors.js';
import { SKILL_IMPORT_MAX_ZIP_BYTES, SKILL_MAX_FILE_BYTES, SKILL_MAX_FILES, SKILL_MAX_TOTAL_BYTES, SKILL_MD_MAX_BYTES } from '../limits.js';
import { SKILL_NAME_MAX, SKILL_NAME_PATTERN } from '../wire/skills.js';
import { normalizedMode } from './files.js';
import { parseSkillMd } from './frontmatter.js';
import { validateSkillMd } from './validate.js';

const yauzlLib = lazyModule<typeof yauzl>('yauzl');

/**
 * Reading an untrusted skill archive. Nothing is written until every entry's name, type and
 * declared size has been checked from the central directory; then each file is inflated
 * through a byte counter that stops at the caps, so a zip bomb costs at most the caps (and
 * yauzl's validateEntrySizes stops an entry whose data outgrows its declared size).
 */

/** One file or folder of the archive, its name checked and made relative to the skill folder. */
interface ArchiveEntry {
  entry: yauzl.Entry;
  /** Relative to the skill folder, `/`-separated, no empty, `.` or `..` segment. */
  path: string;
  isDir: boolean;
  mode: number;
}

/** An archive that passed inspection: one skill, its name, its entries. */
export interface InspectedArchive {
  name: string;
  zip: yauzl.ZipFile;
  entries: ArchiveEntry[];
}

const unsafe = (message: string) => new AppError(422, 'ARCHIVE_UNSAFE', `Refused: ${message}; nothing was imported`);
const invalid = (message: string) => new AppError(422, 'ARCHIVE_INVALID', `Not a usable zip archive: ${message.replace(/\.$/, '')}; nothing was imported`);
const tooLarge = (message: string) => new AppError(413, 'ARCHIVE_TOO_LARGE', `Refused: ${message}; nothing was imported`);

/** Unix file type bits in the high half of a zip entry's external attributes. */
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** What desktop archivers add (macOS resource forks, Finder and Explorer metadata): skipped, never extracted. */
const JUNK = /^(?:__MACOSX(?:\/|$)|(?:.*\/)?(?:\.DS_Store|Thumbs\.db)$)/;

function open(zip: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzlLib().fromBuffer(zip, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: true }, (err, zipfile) => {
      if (err) reject(invalid(err.message));
      else resolve(zipfile);
    });
  });
}

/** Reads the central directory: every entry, in order. */
function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (err: Error) => reject(invalid(err.message)));
    zip.readEntry();
  });
}

/** The entry name as a safe relative path, or a refusal naming it. */
function checkName(entry: yauzl.Entry): string {
  const name = yauzlLib().getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
  const shown = JSON.stringify(name);
  if (/[\u0000-\u001f]/.test(name)) throw unsafe(`entry ${shown} has control characters in its name`);
  if (name.includes('\\')) throw unsafe(`entry ${shown} uses backslashes (a Windows path); zip paths use "/"`);
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) throw unsafe(`entry ${shown} is an absolute path`);
  const segments = name.split('/');
  if (segments.includes('..')) throw unsafe(`entry ${shown} climbs out of its folder with ".."`);
  const path = segments.filter((s) => s !== '' && s !== '.').join('/');
  if (path === '') throw unsafe(`entry ${shown} has no name`);
  return path;
}

function describe(raw: yauzl.Entry[]): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  let declaredTotal = 0;
  for (const entry of raw) {
    const path = checkName(entry);
    const unix = entry.externalFileAttributes >>> 16;
    const type = unix & S_IFMT;
    if (type === S_IFLNK) throw unsafe(`entry "${path}" is a symbolic link`);
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) throw unsafe(`entry "${path}" is a device, socket or pipe, not a file`);
    if (JUNK.test(path)) continue;
    const isDir = type === S_IFDIR || (entry.fileNameRaw.at(-1) === 0x2f && entry.uncompressedSize === 0);
    if (!isDir) {
      if (entry.isEncrypted()) throw invalid(`entry "${path}" is encrypted`);
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw invalid(`entry "${path}" uses compression method ${entry.compressionMethod} (only stored and deflate are read)`);
      if (entry.uncompressedSize > SKILL_MAX_FILE_BYTES) throw tooLarge(`entry "${path}" inflates to ${entry.uncompressedSize} bytes, over the ${SKILL_MAX_FILE_BYTES}-byte limit for one file`);
      declaredTotal += entry.uncompressedSize;
      if (declaredTotal > SKILL_MAX_TOTAL_BYTES) throw tooLarge(`the archive inflates to more than ${SKILL_MAX_TOTAL_BYTES} bytes`);
    }
    out.push({ entry, path, isDir, mode: normalizedMode(unix & 0o777) });
  }
  return out;
}

/** Strips the skill folder prefix, or refuses an archive that is not exactly one skill. */
function layout(entries: ArchiveEntry[]): { entries: ArchiveEntry[]; folder: string | null } {
  const files = entries.filter((e) => !e.isDir);
  if (files.some((e) => e.path === 'SKILL.md')) return { entries, folder: null };
  const tops = new Set(entries.map((e) => e.path.split('/')[0]!));
  const [top] = tops;
  if (tops.size === 1 && top !== undefined && files.some((e) => e.path === `${top}/SKILL.md`)) {
    const inside = entries.filter((e) => !(e.isDir && e.path === top)).map((e) => ({ ...e, path: e.path.slice(top.length + 1) }));
    return { entries: inside, folder: top };
  }
  const found = files.filter((e) => e.path.endsWith('/SKILL.md') || e.path === 'SKILL.md').map((e) => e.path);
  const seen = found.length ? `found ${found.slice(0, 5).join(', ')}${found.length > 5 ? ', …' : ''}` : 'found no SKILL.md';
  throw new AppError(422, 'ARCHIVE_LAYOUT', `The archive must hold exactly one skill: a folder <name>/ with SKILL.md in it, or SKILL.md at the top (${seen}${tops.size > 1 ? `; top-level entries: ${[...tops].slice(0, 5).join(', ')}` : ''}); nothing was imported`);
}

/** Bytes inflated so far across the archive, against SKILL_MAX_TOTAL_BYTES. */
interface Budget {
  used: number;
}

/** A Transform that counts bytes and fails past `max` for this entry, or past the archive's budget, before passing the chunk on. */
function counter(max: number, what: () => string, budget: Budget = { used: 0 }): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      budget.used += chunk.length;
      if (seen > max) done(tooLarge(what()));
      else if (budget.used > SKILL_MAX_TOTAL_BYTES) done(tooLarge(`the archive inflates to more than ${SKILL_MAX_TOTAL_BYTES} bytes`));
      else done(null, chunk);
    },
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(invalid(err.message)) : resolve(stream))));
}

async function readSmallEntry(zip: yauzl.ZipFile, entry: ArchiveEntry, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  await pipeline(
    await openEntry(zip, entry.entry),
    counter(max, () => `${entry.path} is over ${max} bytes`),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) chunks.push(chunk);
    },
  ).catch(rethrow(entry.path));
  return Buffer.concat(chunks).toString('utf8');
}

/** Maps stream failures to refusals: our caps pass through; yauzl's size check, zlib errors and clashing names become ARCHIVE_INVALID. */
function rethrow(path: string): (err: unknown) => never {
  return (err) => {
    if (err instanceof AppError) throw err;
    const { code, message } = err as NodeJS.ErrnoException;
    if (code === 'EEXIST') throw invalid(`"${path}" appears twice`);
    if (code === 'ENOTDIR' || code === 'EISDIR') throw invalid(`"${path}" is both a file and a folder`);
    if (code?.startsWith('Z_')) throw invalid(`entry "${path}" does not inflate: ${message}`);
    if (/bytes in the stream/.test(message)) throw invalid(`entry "${path}" holds a different amount of data than it declares (${message})`);
    throw err;
  };
}

/**
 * Checks an archive without writing anything: size, entry count, every name and type,
 * declared sizes, and that it holds one skill; answers that skill's name (the folder's, or
 * the front matter's when SKILL.md is at the top).
 */
export async function inspectArchive(data: Buffer): Promise<InspectedArchive> {
  if (data.length > SKILL_IMPORT_MAX_ZIP_BYTES) throw tooLarge(`the archive is ${data.length} bytes; at most ${SKILL_IMPORT_MAX_ZIP_BYTES} are accepted`);
  const zip = await open(data);
  if (zip.entryCount > SKILL_MAX_FILES) throw tooLarge(`the archive has ${zip.entryCount} entries; at most ${SKILL_MAX_FILES} are accepted`);
  const { entries, folder } = layout(describe(await readEntries(zip)));
  let name = folder;
  if (name === null) {
    const skillMd = entries.find((e) => e.path === 'SKILL.md')!;
    const text = await readSkillMdEntry(zip, skillMd);
    const value = parseSkillMd(text).data?.name;
    if (typeof value !== 'string' || !SKILL_NAME_PATTERN.test(value) || value.length > SKILL_NAME_MAX) {
      const { errors } = validateSkillMd(text);
      throw new AppError(422, 'SKILL_INVALID', `SKILL.md is at the top of the archive, so its front matter must name the skill, and ${value === undefined ? 'it has no name' : `"${String(value)}" is not a valid skill name`}; nothing was imported`, { issues: errors.length ? errors : [{ path: 'name', message: 'must be a valid skill name' }] });
    }
    name = value;
  } else if (!SKILL_NAME_PATTERN.test(name) || name.length > SKILL_NAME_MAX) {
    throw new AppError(422, 'SKILL_INVALID', `The skill folder "${name}" is not a valid skill name (lowercase letters, digits and single hyphens, at most ${SKILL_NAME_MAX}); nothing was imported`, { issues: [{ path: 'name', message: `folder "${name}" is not a valid skill name` }] });
  }
  return { name, zip, entries };
}

function readSkillMdEntry(zip: yauzl.ZipFile, entry: ArchiveEntry): Promise<string> {
  if (entry.entry.uncompressedSize > SKILL_MD_MAX_BYTES) throw tooLarge(`SKILL.md is ${entry.entry.uncompressedSize} bytes; at most ${SKILL_MD_MAX_BYTES} are read`);
  return readSmallEntry(zip, entry, SKILL_MD_MAX_BYTES);
}

/** Inflates every entry into `dir` (which must exist and be empty), within the per-file and total caps. */
export async function extractArchive(archive: InspectedArchive, dir: string): Promise<void> {
  const budget: Budget = { used: 0 };
  for (const item of archive.entries) {
    const target = join(dir, ...item.path.split('/'));
    if (item.isDir) {
      await mkdir(target, { recursive: true }).catch(rethrow(item.path));
      continue;
    }
    await mkdir(dirname(target), { recursive: true }).catch(rethrow(item.path));
    const source = await openEntry(archive.zip, item.entry);
    const bytes = counter(SKILL_MAX_FILE_BYTES, () => `entry "${item.path}" inflates past the ${SKILL_MAX_FILE_BYTES}-byte limit for one file`, budget);
    await pipeline(source, bytes, createWriteStream(target, { flags: 'wx', mode: item.mode })).catch(rethrow(item.path));
  }
}
