/**
 * Images attached to a message, checked before anything is uploaded: how many, how large, and
 * what they are by their first bytes (a file's name and the browser's guess prove nothing).
 * The server checks the same again; checking here spares a 30 MB upload that it would refuse.
 */
import type { ImageInput } from '$wire/chat';
// The server's own limits (zod-free, safe to bundle), enforced here before upload.
import { MAX_IMAGE_BYTES, MAX_IMAGES_PER_MESSAGE } from '$wire/upload-limits';

export { MAX_IMAGE_BYTES, MAX_IMAGES_PER_MESSAGE };

/** The image types the server stores. */
export type ImageMime = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** Bytes read from a file to recognise it: WebP needs twelve (RIFF, size, WEBP). */
const SNIFF_BYTES = 12;

const ascii = (bytes: Uint8Array, from: number, text: string): boolean => [...text].every((ch, i) => bytes[from + i] === ch.charCodeAt(0));

/** The image type the bytes start with, or null when they are none of the four. */
export function sniffImageType(head: Uint8Array): ImageMime | null {
  if ([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => head[i] === b)) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'image/gif';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'image/webp';
  return null;
}

/** An accepted image waiting to be sent; `previewUrl` is an object URL to revoke when done. */
export interface Attachment {
  id: number;
  file: File;
  name: string;
  mime: ImageMime;
  bytes: number;
  previewUrl: string;
}

/** Why a file was turned away. */
export type RefusalReason = 'too_many' | 'too_large' | 'not_image';

/** A file turned away, and why. */
export interface Refusal {
  name: string;
  reason: RefusalReason;
}

let nextId = 1;

/**
 * Checks `files` against the limits, given `already` images attached: files past the count
 * limit, over the size limit, or not a PNG/JPEG/GIF/WebP by content are refused.
 */
export async function checkImages(files: readonly File[], already: number): Promise<{ accepted: Attachment[]; refused: Refusal[] }> {
  const accepted: Attachment[] = [];
  const refused: Refusal[] = [];
  for (const file of files) {
    const name = file.name || 'image';
    if (already + accepted.length >= MAX_IMAGES_PER_MESSAGE) {
      refused.push({ name, reason: 'too_many' });
      continue;
    }
    if (file.size > MAX_IMAGE_BYTES) {
      refused.push({ name, reason: 'too_large' });
      continue;
    }
    const mime = sniffImageType(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer()));
    if (!mime) {
      refused.push({ name, reason: 'not_image' });
      continue;
    }
    accepted.push({ id: nextId++, file, name, mime, bytes: file.size, previewUrl: URL.createObjectURL(file) });
  }
  return { accepted, refused };
}

/** The files a paste or a drop carries (a pasted screenshot comes as a file item). */
export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  if (data.files.length > 0) return [...data.files];
  return [...data.items].flatMap((item) => {
    const file = item.kind === 'file' ? item.getAsFile() : null;
    return file ? [file] : [];
  });
}

/** The image as POST /api/chat takes it: the sniffed type and the bytes in base64. */
export function toImageInput(attachment: Attachment): Promise<ImageInput> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve({ mime: attachment.mime, data: url.slice(url.indexOf(',') + 1) });
    };
    reader.onerror = () => reject(reader.error ?? new Error(`Could not read ${attachment.name}`));
    reader.readAsDataURL(attachment.file);
  });
}
