import type { PermissionMode } from '../wire/permissions.js';
import type { Statements } from './statements.js';

/** The permission mode each conversation chose (`conversation_permissions`); none: the Settings mode applies. */
export class PermissionModes {
  constructor(private readonly q: Statements) {}

  /** The mode the conversation chose, or null. */
  get(conversationId: string): PermissionMode | null {
    return (this.q.sql('SELECT mode FROM conversation_permissions WHERE conversation_id = ?').pluck().get(conversationId) as PermissionMode | undefined) ?? null;
  }

  set(conversationId: string, mode: PermissionMode): void {
    this.q
      .sql('INSERT INTO conversation_permissions (conversation_id, mode) VALUES (?, ?) ON CONFLICT (conversation_id) DO UPDATE SET mode = excluded.mode')
      .run(conversationId, mode);
  }
}
