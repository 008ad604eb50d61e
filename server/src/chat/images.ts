import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, sep } from 'node:path';
import { AppError } from '../http/errors.js';
import { MAX_IMAGE_BYTES, MAX_IMAGES_PER_MESSAGE } from '../limits.js';
import { IMAGE_ID_PATTERN, type ImageInput } from '../wire/chat.js';

/** The image types Atelier stores, and how each one's bytes begin (offset → expected bytes). */
const SIGNATURES: readonly { mime: ImageMime; magic: readonly [offset: number, hex: string][] }[] = [
  { mime: 'image/png', magic: [[0, '89504e470d0a1a0a']] },
  { mime: 'image/jpeg', magic: [[0, 'ffd8ff']] },
  { mime: 'image/gif', magic: [[0, '474946383761']] }, // GIF87a
  { mime: 'image/gif', magic: [[0, '474946383961']] }, // GIF89a
  { mime: 'image/webp', magic: [[0, '52494646'], [8, '57454250']] }, // RIFF….WEBP
];

/** A type `sniffImage` can recognise. */
export type ImageMime = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** Longest base64 text that can decode to MAX_IMAGE_BYTES: anything longer is refused before decoding. */
const MAX_IMAGE_BASE64_CHARS = Math.ceil(MAX_IMAGE_BYTES / 3) * 4;

/** A file in the images dir with no row this old is left over from a crash (a live write takes milliseconds). */
const ORPHAN_MIN_AGE_MS = 10 * 60 * 1000;

/** The image type of `data` judged by its first bytes, or null when it is none of PNG, JPEG, GIF, WebP. */
export function sniffImage(data: Uint8Array): ImageMime | null {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const found = SIGNATURES.find((s) => s.magic.every(([offset, hex]) => buf.subarray(offset, offset + hex.length / 2).toString('hex') === hex));
  return found?.mime ?? null;
}

/** An image that passed every check, ready to be written. */
export interface CheckedImage {
  id: string;
  /** Sniffed from the bytes; the declared type is only reported. */
  mime: ImageMime;
  declared_mime: string;
  data: Buffer;
  sha256: string;
}

function badImage(label: string, why: string): AppError {
  return new AppError(400, 'BAD_IMAGE', `${label}: ${why}`);
}

/**
 * Decodes and checks one image: base64 (or a base64 `data:` URL), at most MAX_IMAGE_BYTES,
 * and by content a PNG, JPEG, GIF or WebP. A declared type that disagrees with the content is
 * corrected, not refused: browsers derive it from the file name, and serving and sending the
 * sniffed type is what keeps bytes from being taken for something they are not.
 */
export function checkImage(input: ImageInput, label = 'Image'): CheckedImage {
  let data = input.data;
  let declared = input.mime.trim().toLowerCase();
  const dataUrl = /^data:([^;,]*)((?:;[^;,]*)*),/i.exec(data.slice(0, 200));
  if (dataUrl) {
    if (!/;base64$/i.test(dataUrl[2] ?? '')) throw badImage(label, 'a data: URL must be base64-encoded');
    declared ||= (dataUrl[1] ?? '').toLowerCase();
    data = data.slice(dataUrl[0].length);
  }
  if (!declared.startsWith('image/')) throw badImage(label, `declared type "${input.mime}" is not an image type`);
  if (data.length > MAX_IMAGE_BASE64_CHARS) {
    throw new AppError(413, 'IMAGE_TOO_LARGE', `${label}: larger than the ${MAX_IMAGE_BYTES} byte limit (${data.length} base64 characters)`);
  }
  if (data.length === 0) throw badImage(label, 'no data');
  // Buffer.from skips characters outside the alphabet; a short result is how they show (a regex costs ~90 ms on 10 MB).
  const bytes = Buffer.from(data, 'base64');
  if (data.length % 4 === 1 || bytes.length !== Buffer.byteLength(data, 'base64')) throw badImage(label, 'data is not valid base64');
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new AppError(413, 'IMAGE_TOO_LARGE', `${label}: ${bytes.length} bytes is over the ${MAX_IMAGE_BYTES} byte limit`);
  }
  const mime = sniffImage(bytes);
  if (!mime) throw badImage(label, `content is not a PNG, JPEG, GIF or WebP image (declared ${declared})`);
  return { id: newImageId(), mime, declared_mime: declared, data: bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Checks every image of one message; the first failure throws, so nothing is written unless all pass. */
export function checkImages(inputs: readonly ImageInput[]): CheckedImage[] {
  if (inputs.length > MAX_IMAGES_PER_MESSAGE) {
    throw new AppError(400, 'TOO_MANY_IMAGES', `A message may carry at most ${MAX_IMAGES_PER_MESSAGE} images (got ${inputs.length})`);
  }
  return inputs.map((input, i) => checkImage(input, `Image ${i + 1} of ${inputs.length}`));
}

/** A fresh image id: 128 random bits as 32 lowercase hex characters. */
export function newImageId(): string {
  return randomBytes(16).toString('hex');
}

/** The image files under `<dataDir>/images`: one file per id, owner-only, named by nothing but the id. */
export class ImageFiles {
  readonly #dir: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    this.#dir = realpathSync(dir);
  }

  /** The (real) directory holding the files. */
  get dir(): string {
    return this.#dir;
  }

  /** Writes each image durably (temp file, fsync, rename); on any failure removes what it wrote and throws. */
  write(images: readonly CheckedImage[]): void {
    const written: string[] = [];
    try {
      for (const image of images) {
        const tmp = join(this.#dir, `${image.id}.tmp`);
        const fd = openSync(tmp, 'wx', 0o600);
        try {
          writeSync(fd, image.data);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, join(this.#dir, image.id));
        written.push(image.id);
      }
    } catch (err) {
      this.remove(written);
      for (const image of images) rmSync(join(this.#dir, `${image.id}.tmp`), { force: true });
      throw err;
    }
  }

  /**
   * The path of image `id`, or null when the id is malformed, the file is missing, or its real
   * path is not directly inside the images dir (a planted symlink cannot lead elsewhere).
   */
  resolve(id: string): string | null {
    if (!IMAGE_ID_PATTERN.test(id)) return null;
    try {
      const real = realpathSync(join(this.#dir, id));
      if (real !== this.#dir + sep + id || !statSync(real).isFile()) return null;
      return real;
    } catch {
      return null;
    }
  }

  /** Deletes the files of these ids; a missing file is already gone. */
  remove(ids: readonly string[]): void {
    for (const id of ids) if (IMAGE_ID_PATTERN.test(id)) rmSync(join(this.#dir, id), { force: true });
  }

  /** Deletes files no row knows (left by a crash between file and row), once old enough not to be a write in progress. */
  removeOrphans(known: (id: string) => boolean, now = Date.now()): string[] {
    const removed: string[] = [];
    for (const name of readdirSync(this.#dir)) {
      const id = name.endsWith('.tmp') ? name.slice(0, -4) : name;
      if (!IMAGE_ID_PATTERN.test(id) || (name === id && known(id))) continue;
      const path = join(this.#dir, name);
      try {
        if (now - statSync(path).mtimeMs < ORPHAN_MIN_AGE_MS) continue;
        rmSync(path, { force: true });
        removed.push(name);
      } catch {
        // Raced with another delete: nothing left to do.
      }
    }
    return removed;
  }
}
