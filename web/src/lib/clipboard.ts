/** Copying text for the user to paste elsewhere (a config snippet, a command). */

/**
 * Puts `text` on the clipboard and answers whether it worked. The Clipboard API needs a secure
 * context (localhost is one, a LAN address is not): elsewhere a hidden selection is copied, and
 * the focus goes back where it was (a terminal keeps its keys).
 */
export async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused: try the old way.
    }
  }
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
    focused?.focus();
  }
}
