/** Between the server and the checkpoint worker: the server asks it to close; it says when it stops for lack of work. */
export type CheckpointerMessage = 'close' | 'idle';

/** Checkpoints in a row with nothing to copy after which the worker stops (at 1 s each: 10 s). */
export const CHECKPOINT_IDLE_TICKS = 10;
