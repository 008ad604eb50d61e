/** Saving a file the server answers (an export) through the browser's own download. */
import { buildInit, send } from './api';

/** How long the object URL of a download lives: the browser has started reading it by then. */
const REVOKE_DELAY_MS = 60_000;

/** The file name a Content-Disposition header gives (`attachment; filename="x.zip"`), or `fallback`. */
export function attachmentName(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const encoded = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(header)?.[1];
  if (encoded) {
    try {
      return decodeURIComponent(encoded.trim().replace(/^"|"$/g, ''));
    } catch {
      // A malformed escape: the plain filename below, or the fallback.
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(header)?.[1];
  return plain?.trim() || fallback;
}

/**
 * GETs `path` and hands its body to the browser as a file download, named as the server says
 * (or `fallbackName`); a refusal rejects with ApiError like `request`, and nothing is saved.
 */
export async function download(path: string, fallbackName: string): Promise<void> {
  const init = buildInit('GET', undefined);
  // Any file type is welcome; a refusal still comes as JSON.
  init.headers = { Accept: '*/*' };
  const response = await send(path, init);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = attachmentName(response.headers.get('content-disposition'), fallbackName);
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_DELAY_MS);
}

/** Reads a file the user picked as base64 (no `data:` prefix), for JSON bodies that carry files. */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  // String.fromCharCode takes its bytes as arguments: chunks keep them under the engine's limit.
  const CHUNK_BYTES = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK_BYTES) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK_BYTES));
  return btoa(binary);
}
