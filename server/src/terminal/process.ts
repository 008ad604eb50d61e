/**
 * What a terminal session drives: a local PTY, a WSL PTY or an SSH channel. Output arrives
 * as bytes; pause/resume stop and restart reading so a slow viewer throttles the program.
 */
export interface TerminalProcess {
  /** Shown as the tab title. */
  readonly title: string;
  onData(listener: (chunk: Buffer) => void): void;
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  /** Ends the process (hang-up); onExit follows. */
  kill(): void;
}
