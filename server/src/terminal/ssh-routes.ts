import type { AppContext } from '../context.js';
import type { Api } from '../http/api.js';
import { AppError } from '../http/errors.js';
import { terminalRoutes } from '../wire/routes/terminal.js';
import { toPublic } from './ssh-connections.js';
import { probeHostKey, type SshDeps } from './ssh-process.js';

const tag = 'terminal';

/** Create/update and delete saved SSH connections, and the editor's host-key confirmation. GET is in routes.ts. */
export function registerSshRoutes(api: Api, ssh: SshDeps, ctx: AppContext): void {
  const { store } = ssh;
  api.route(terminalRoutes.saveConnection, {
    tag,
    summary: 'Create or replace a saved SSH connection (secrets absent or "***" keep the stored ones, "" clears); answers it with secrets "***"',
    handler: async ({ body }) => {
      const saved = await store.save(body);
      ctx.log.info({ connection: saved.name, auth: saved.auth, jump: saved.jump }, 'ssh connection saved');
      return toPublic(saved);
    },
  });

  api.route(terminalRoutes.deleteConnection, {
    tag,
    summary: 'Delete a saved SSH connection (409 while another connection uses it as its jump host)',
    handler: ({ params }) => {
      store.remove(params.name);
      ctx.log.info({ connection: params.name }, 'ssh connection deleted');
      return undefined;
    },
  });

  api.route(terminalRoutes.hostKey, {
    tag,
    summary: 'Host-key confirmation: probe the key the host presents now, pin it (if a fresh probe still shows it) or forget the pin',
    handler: async ({ params, body }) => {
      const conn = store.require(params.name);
      switch (body.action) {
        case 'probe': {
          const fingerprint = await probeHostKey(conn, ssh);
          const pinned = store.require(params.name).host_key_sha256;
          return { fingerprint, pinned, matches: pinned === fingerprint };
        }
        case 'pin': {
          const fingerprint = await probeHostKey(conn, ssh);
          if (fingerprint !== body.fingerprint) {
            throw new AppError(409, 'HOST_KEY_MISMATCH', `${conn.host}:${conn.port} now presents ${fingerprint}, not the ${body.fingerprint} you confirmed; probe again and compare`);
          }
          store.pin(conn.name, fingerprint);
          ctx.log.info({ connection: conn.name, fingerprint }, 'ssh host key pinned');
          return toPublic(store.require(conn.name));
        }
        case 'forget':
          store.forgetPin(conn.name);
          ctx.log.info({ connection: conn.name }, 'ssh host key pin cleared');
          return toPublic(store.require(conn.name));
      }
    },
  });
}
