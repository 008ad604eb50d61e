import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkImage, checkImages, ImageFiles, sniffImage } from '../../server/src/chat/images.js';
import { MAX_IMAGE_BYTES } from '../../server/src/limits.js';
import { IMAGES, imageInput, openStore, type StoreFixture } from './fixtures.js';

let fx: StoreFixture;
beforeEach(() => {
  fx = openStore();
});
afterEach(() => fx.close());

/** A buffer of `size` bytes that starts like a PNG. */
function pngOfSize(size: number): Buffer {
  const buf = Buffer.alloc(size);
  IMAGES.png.copy(buf);
  return buf;
}

function nothingStored(): void {
  expect(readdirSync(fx.imagesDir)).toEqual([]);
  expect(fx.db.prepare('SELECT count(*) FROM images').pluck().get()).toBe(0);
  expect(fx.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
}

describe('image type by content', () => {
  it.each([
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['gif', 'image/gif'],
    ['webp', 'image/webp'],
  ] as const)('recognises a %s by its magic bytes', (kind, mime) => {
    expect(sniffImage(IMAGES[kind])).toBe(mime);
  });

  it('recognises nothing in text, an empty buffer, or a RIFF file that is not WebP', () => {
    expect(sniffImage(Buffer.from('hello, I am text'))).toBeNull();
    expect(sniffImage(Buffer.alloc(0))).toBeNull();
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeNull();
  });
});

describe('image checks', () => {
  it('refuses a text file labelled image/png with BAD_IMAGE naming why', () => {
    const err = (() => {
      try {
        checkImage(imageInput(Buffer.from('#!/bin/sh\necho not an image\n'), 'image/png'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ status: 400, code: 'BAD_IMAGE', message: expect.stringMatching(/not a PNG, JPEG, GIF or WebP/) });
  });

  it('stores images already checked as they are, without decoding or hashing them again', () => {
    const checked = checkImages([imageInput(IMAGES.png, 'image/png'), imageInput(IMAGES.gif, 'image/gif')]);
    // A second check would mint new ids; the ones stored are those of the one check.
    const [m] = fx.store.appendMessages(fx.store.createConversation().id, [{ role: 'user', content: 'x', checkedImages: checked }]);
    expect(m!.images.map((i) => i.id)).toEqual(checked.map((c) => c.id));
    expect(fx.db.prepare('SELECT sha256 FROM images ORDER BY rowid').pluck().all()).toEqual(checked.map((c) => c.sha256));
    expect(readFileSync(join(fx.imagesDir, checked[0]!.id))).toEqual(IMAGES.png);
  });

  it('stores a PNG labelled image/jpeg as image/png: the content decides the type', () => {
    const checked = checkImage(imageInput(IMAGES.png, 'image/jpeg'));
    expect(checked).toMatchObject({ mime: 'image/png', declared_mime: 'image/jpeg' });
    const [m] = fx.store.appendMessages(fx.store.createConversation().id, [{ role: 'user', content: 'x', images: [imageInput(IMAGES.png, 'image/jpeg')] }]);
    expect(m!.images[0]!.mime).toBe('image/png');
  });

  it('refuses a declared type that is not an image type', () => {
    expect(() => checkImage(imageInput(IMAGES.png, 'text/html'))).toThrow(expect.objectContaining({ code: 'BAD_IMAGE', message: expect.stringContaining('not an image type') }));
  });

  it('refuses data that is not base64', () => {
    for (const data of ['not base64!!', 'iVBORw0KGgo=AAAA', 'abcde', '']) {
      expect(() => checkImage({ mime: 'image/png', data }), data).toThrow(expect.objectContaining({ code: 'BAD_IMAGE' }));
    }
  });

  it('accepts a base64 data: URL', () => {
    expect(checkImage({ mime: '', data: `data:image/gif;base64,${IMAGES.gif.toString('base64')}` }).mime).toBe('image/gif');
    expect(() => checkImage({ mime: 'image/png', data: 'data:image/png,%89PNG' })).toThrow(expect.objectContaining({ code: 'BAD_IMAGE' }));
  });

  it('accepts an image of exactly 10 MB', () => {
    expect(checkImage(imageInput(pngOfSize(MAX_IMAGE_BYTES))).data.length).toBe(MAX_IMAGE_BYTES);
  });

  it('refuses an image of 10 MB + 1 byte with 413 IMAGE_TOO_LARGE', () => {
    expect(() => checkImage(imageInput(pngOfSize(MAX_IMAGE_BYTES + 1)))).toThrow(expect.objectContaining({ status: 413, code: 'IMAGE_TOO_LARGE' }));
  });

  it('refuses base64 too long for 10 MB before decoding it', () => {
    const data = 'A'.repeat(Math.ceil(MAX_IMAGE_BYTES / 3) * 4 + 4);
    expect(() => checkImage({ mime: 'image/png', data })).toThrow(expect.objectContaining({ status: 413, message: expect.stringContaining('base64 characters') }));
  });

  it('refuses a fourth image with TOO_MANY_IMAGES', () => {
    const four = Array.from({ length: 4 }, () => imageInput(IMAGES.png));
    expect(() => checkImages(four)).toThrow(expect.objectContaining({ status: 400, code: 'TOO_MANY_IMAGES' }));
    expect(checkImages(four.slice(0, 3))).toHaveLength(3);
  });
});

describe('storing the images of a message', () => {
  it('stores nothing when a message carries four images', () => {
    const c = fx.store.createConversation();
    const four = Array.from({ length: 4 }, () => imageInput(IMAGES.png));
    expect(() => fx.store.appendMessage(c.id, { role: 'user', content: 'four', images: four })).toThrow(expect.objectContaining({ code: 'TOO_MANY_IMAGES' }));
    nothingStored();
  });

  it('stores nothing when the last of three images is bad', () => {
    const c = fx.store.createConversation();
    const images = [imageInput(IMAGES.png), imageInput(IMAGES.jpeg, 'image/jpeg'), imageInput(Buffer.from('GIF00a nope'), 'image/gif')];
    expect(() => fx.store.appendMessage(c.id, { role: 'user', content: 'three', images })).toThrow(expect.objectContaining({ code: 'BAD_IMAGE', message: expect.stringContaining('Image 3 of 3') }));
    nothingStored();
  });

  it('removes written files when the message rows cannot be stored', () => {
    const c = fx.store.createConversation();
    const bad = { role: 'nobody', content: 'x', images: [imageInput(IMAGES.png)] } as never;
    expect(() => fx.store.appendMessage(c.id, bad)).toThrow();
    nothingStored();
  });

  it('writes owner-only files in an owner-only directory, byte for byte', () => {
    const [m] = fx.store.appendMessages(fx.store.createConversation().id, [{ role: 'user', content: 'x', images: [imageInput(IMAGES.webp, 'image/webp')] }]);
    const file = join(fx.imagesDir, m!.images[0]!.id);
    expect(readFileSync(file)).toEqual(IMAGES.webp);
    if (process.platform !== 'win32') {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(fx.imagesDir).mode & 0o777).toBe(0o700);
    }
    expect(fx.db.prepare('SELECT sha256 FROM images').pluck().get()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds a stored image with its type and the file holding its bytes', () => {
    const [m] = fx.store.appendMessages(fx.store.createConversation().id, [{ role: 'user', content: 'x', images: [imageInput(IMAGES.jpeg, 'image/jpeg')] }]);
    const image = fx.store.image(m!.images[0]!.id);
    expect(image).toMatchObject({ mime: 'image/jpeg', bytes: IMAGES.jpeg.length });
    expect(readFileSync(image!.path)).toEqual(IMAGES.jpeg);
  });
});

describe('image file lookup', () => {
  it('finds nothing for malformed ids: traversal, uppercase hex, wrong length', () => {
    const files = new ImageFiles(fx.imagesDir);
    writeFileSync(join(fx.dir, 'secret'), 'x');
    for (const id of ['../secret', '..%2Fsecret', 'A'.repeat(32), 'a'.repeat(31), 'a'.repeat(33), `${'a'.repeat(31)}/`, '', '.', `${'a'.repeat(32)}.tmp`]) {
      expect(files.resolve(id), id).toBeNull();
    }
  });

  it('refuses a symlink planted in the images dir that leads outside it', () => {
    if (process.platform === 'win32') return;
    const outside = join(fx.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'passwd'), 'root:x:0:0');
    const id = 'c'.repeat(32);
    symlinkSync(join(outside, 'passwd'), join(fx.imagesDir, id));
    expect(new ImageFiles(fx.imagesDir).resolve(id)).toBeNull();
  });
});
