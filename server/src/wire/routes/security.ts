/** Routes of the auth capability (SPEC §4): the studio's sign-in form and sign-out. */
import { z } from 'zod';
import type { Contract } from '../contract.js';
import { NoContentSchema } from './common.js';

/** Body of POST /api/auth/session: the launch token Atelier printed at start. */
const SessionRequestSchema = z.strictObject({ token: z.string().min(1).max(512) });

export const securityRoutes = {
  signIn: { method: 'post', path: '/api/auth/session', body: SessionRequestSchema, response: NoContentSchema },
  signOut: { method: 'delete', path: '/api/auth/session', response: NoContentSchema },
} as const satisfies Record<string, Contract>;
