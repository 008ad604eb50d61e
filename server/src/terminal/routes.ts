import { join } from 'node:path';
import type { StartCapability } from '../context.js';
import { AppError } from '../http/errors.js';
import { TERMINAL_WS_PATH, WS_CLOSE_TRY_AGAIN_LATER } from '../wire/terminal-limits.js';
import { terminalRoutes } from '../wire/routes/terminal.js';
import { SessionManager } from './manager.js';
import { FRAME_BUFFER_BYTES, FRAME_BUFFERS_KEPT } from './session.js';
import { FramePool } from './frame-pool.js';
import { keystrokeTraceFile } from './keystroke-trace.js';
import { MirrorPool } from './mirror.js';
import { processOpener } from './openers.js';
import { listShells } from './shells.js';
import { handleTerminalSocket } from './socket.js';
import { sshMigrations, SshConnectionStore } from './ssh-connections.js';
import { workerKeyUnlocker } from './ssh-key.js';
import { openSshProcess } from './ssh-process.js';
import { registerSshRoutes } from './ssh-routes.js';
import { loadThemes } from './themes.js';
import { listWslDistros } from './wsl.js';
import { scavenger, YOUNG_GC_EVERY_BYTES, YoungGcPacer } from './young-gc.js';

/** Terminals (SPEC §7 "Terminal"): the PTY WebSocket, saved SSH connections, themes, preferences. */
export const terminalCapability: StartCapability = {
  name: 'terminal',
  migrations: sshMigrations,
  register({ api, ws, ctx }) {
    const themes = loadThemes(join(ctx.rootDir, 'themes'));
    const settings = () => ctx.config.get().terminal;
    const mirror = new MirrorPool(ctx.rootDir, ctx.log);
    const shared = { mirror, gc: new YoungGcPacer(YOUNG_GC_EVERY_BYTES, scavenger()), frames: new FramePool(FRAME_BUFFER_BYTES, FRAME_BUFFERS_KEPT), traceFile: keystrokeTraceFile() };
    const manager = new SessionManager(shared, { maxSessions: () => settings().max_sessions, detachGraceMs: () => settings().detach_grace_s * 1000 }, ctx.log);
    const keys = workerKeyUnlocker(ctx.rootDir);
    const connections = new SshConnectionStore(ctx.db, keys);
    const ssh = { store: connections, keys, log: ctx.log };
    const open = processOpener(ctx, (init) => openSshProcess(init, ssh));
    ctx.lifecycle.onClose(() => mirror.close());
    ctx.lifecycle.onClose(() => manager.closeAll());
    const tag = 'terminal';

    let sockets = 0;
    ws.route(TERMINAL_WS_PATH, (socket, req) => {
      const max = settings().max_sessions;
      if (sockets >= max) {
        socket.close(WS_CLOSE_TRY_AGAIN_LATER, `Too many terminal sessions (the limit is ${max})`);
        return;
      }
      sockets++;
      socket.once('close', () => sockets--);
      handleTerminalSocket(socket, req, manager, open, () => settings().scrollback, ctx.log);
    });

    api.route(terminalRoutes.sessions, {
      tag,
      summary: 'Saved SSH connections (secrets "***"), system terminals (shells, WSL distributions) and live sessions',
      handler: async () => ({
        connections: connections.listPublic(),
        system: [
          ...listShells().map((s) => ({ kind: 'local' as const, name: s.name, shell: s.path })),
          ...(await listWslDistros()).map((d) => ({ kind: 'wsl' as const, name: d, distro: d })),
        ],
        active: manager.list(),
      }),
    });
    registerSshRoutes(api, ssh, ctx);

    api.route(terminalRoutes.themes, {
      tag,
      summary: 'xterm themes from themes/',
      handler: () => themes,
    });

    api.route(terminalRoutes.settings, {
      tag,
      summary: 'Merge terminal preferences (font_size 6..72, theme from themes/)',
      handler: ({ body }) => {
        if (body.theme !== undefined && !themes.some((t) => t.name === body.theme)) {
          throw new AppError(400, 'VALIDATION_FAILED', `Invalid body: theme: unknown theme "${body.theme}"`, {
            issues: [{ path: 'theme', message: `unknown theme "${body.theme}"` }],
          });
        }
        return ctx.config.update('terminal', (c) => ({ ...c, terminal: { ...c.terminal, ...body } })).terminal;
      },
    });
  },
};
