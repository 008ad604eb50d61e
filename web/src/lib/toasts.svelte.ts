/** Short notices in a corner ("Saved", or what went wrong), gone after a few seconds. */

/** How long a notice stays; errors stay longer because they usually need reading. */
const TOAST_MS = { success: 3_000, error: 8_000 } as const;

/** One notice. */
export interface Toast {
  id: number;
  kind: keyof typeof TOAST_MS;
  text: string;
}

let nextId = 1;
let list = $state<Toast[]>([]);

/** The notices shown now, oldest first. */
export function toasts(): readonly Toast[] {
  return list;
}

/** Removes a notice. */
export function dismiss(id: number): void {
  list = list.filter((t) => t.id !== id);
}

/** Shows a notice. */
export function notify(kind: Toast['kind'], text: string): void {
  const id = nextId++;
  list = [...list, { id, kind, text }];
  setTimeout(() => dismiss(id), TOAST_MS[kind]);
}
