import { describe, expect, it } from 'vitest';
import { TurnGate } from '../../server/src/http/turn-gate.js';

/** Counts event-loop turns with a chain of setImmediate callbacks. */
function turnCounter(): { now: () => number; stop: () => void } {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return { now: () => turns, stop: () => (running = false) };
}

describe('TurnGate', () => {
  it('lets a burst through a few per loop turn, in arrival order, with timers running between batches', async () => {
    const gate = new TurnGate(2);
    const turns = turnCounter();
    const passed: { caller: number; turn: number }[] = [];
    let timerFiredAt = -1;
    setTimeout(() => (timerFiredAt = passed.length), 0);
    // A timer is due 1 ms after it is set; wait that out so the burst below cannot outrun it.
    const due = performance.now() + 2;
    while (performance.now() < due);
    await Promise.all(Array.from({ length: 10 }, (_, caller) => gate.pass().then(() => passed.push({ caller, turn: turns.now() }))));
    turns.stop();
    expect(passed.map((p) => p.caller)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const perTurn = new Map<number, number>();
    for (const p of passed) perTurn.set(p.turn, (perTurn.get(p.turn) ?? 0) + 1);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(2);
    expect(perTurn.size).toBeGreaterThanOrEqual(5);
    // The timer due at once ran before the burst was through: the loop was not held.
    expect(timerFiredAt).toBeGreaterThan(0);
    expect(timerFiredAt).toBeLessThan(10);
  });

  it('lets a lone caller through at once', async () => {
    const gate = new TurnGate(1);
    let through = false;
    void gate.pass().then(() => (through = true));
    await Promise.resolve();
    expect(through).toBe(true);
  });
});
