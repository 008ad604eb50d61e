import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../server/src/db/database.js';
import { Lifecycle } from '../../server/src/lifecycle.js';
import { TOOL_SCANS_KEPT } from '../../server/src/limits.js';
import { createLogger } from '../../server/src/logger.js';
import { systemMigrations } from '../../server/src/system/migrations.js';
import { ScanService } from '../../server/src/system/scan-service.js';
import { ScanStore } from '../../server/src/system/scan-store.js';
import { fakeTool, scratchDir, specs } from './fixtures.js';

const log = createLogger({ level: 'silent' });

/** A service over fake tools in a temp PATH; each run of `counted` appends a line to runs.log. */
function setup(dbDir = scratchDir()) {
  const bin = scratchDir();
  fakeTool(bin, 'counted', `echo run >> ${bin}/runs.log\nsleep 0.2\necho "counted 2.0.0"`);
  fakeTool(bin, 'quick', 'echo "quick 1.0.0"');
  const db = openDatabase(join(dbDir, 'atelier.db'));
  migrate(db, systemMigrations);
  const store = new ScanStore(db);
  const service = new ScanService({ catalog: specs('counted', 'quick'), store, lifecycle: new Lifecycle(), log, scanOptions: { env: { PATH: `${bin}:${process.env.PATH}` } } });
  const runs = () => readFileSync(join(bin, 'runs.log'), 'utf8').trim().split('\n').length;
  return { db, store, service, runs, dbDir };
}

describe('scan service', () => {
  it('has no scan before the first one on a fresh database', () => {
    const { service } = setup();
    expect(service.latest).toBeNull();
    expect(service.scanning).toBe(false);
  });

  it('joins a scan already running instead of starting a second one', async () => {
    const { service, runs } = setup();
    const first = service.rescan();
    expect(service.scanning).toBe(true);
    const second = service.rescan();
    const [a, b] = await Promise.all([first, second]);
    expect(b).toBe(a);
    expect(runs()).toBe(1);
    expect(service.scanning).toBe(false);
  });

  it('replays earlier progress to a caller that joins late', async () => {
    const { service } = setup();
    const first = service.rescan();
    await new Promise((r) => setTimeout(r, 100)); // "quick" is done, "counted" still sleeps
    const seen: string[] = [];
    await service.rescan((p) => seen.push(p.tool.id));
    await first;
    expect(seen.sort()).toEqual(['counted', 'quick']);
  });

  it('loads the last persisted scan when created again on the same database', async () => {
    const { service, db, dbDir } = setup();
    const scan = await service.rescan();
    db.close();
    const again = setup(dbDir);
    expect(again.service.latest).toEqual(scan);
  });

  it(`keeps only the latest ${TOOL_SCANS_KEPT} scans`, async () => {
    const { service, store } = setup();
    for (let i = 0; i < TOOL_SCANS_KEPT + 2; i++) await service.rescan();
    expect(store.count()).toBe(TOOL_SCANS_KEPT);
    expect(store.latest()).toEqual(service.latest);
  });

  it('starts a scan when asked for the current one and none exists', async () => {
    const { service } = setup();
    const scan = await service.current();
    expect(scan.tools.map((t) => [t.id, t.version])).toEqual([['counted', '2.0.0'], ['quick', '1.0.0']]);
  });

  it('ignores a stored scan this version cannot read', () => {
    const { db, store } = setup();
    db.prepare("INSERT INTO tool_scans (started_at, finished_at, duration_ms, tools_json) VALUES ('a', 'b', 1, '[{\"id\": 1}]')").run();
    expect(store.latest()).toBeNull();
  });
});
