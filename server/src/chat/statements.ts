import type Database from 'better-sqlite3';

/** The chat's prepared statements, by SQL text: preparing costs more than most of its queries. */
export class Statements {
  readonly #statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  sql(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

/** The chat's small key-value table (`chat_state`): the current conversation, how far the index got. */
export class ChatState {
  constructor(private readonly q: Statements) {}

  get(key: string): string | null {
    return (this.q.sql('SELECT value FROM chat_state WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  }

  set(key: string, value: string): void {
    this.q.sql('INSERT INTO chat_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  delete(key: string): void {
    this.q.sql('DELETE FROM chat_state WHERE key = ?').run(key);
  }
}
