/**
 * Who is signed in and what the whole studio shares: the server's info and the public config
 * (whose profile carries the UI language). Any 401 UNAUTHORIZED anywhere flips the studio to the sign-in screen.
 */
import type { Language, Profile, PublicConfig } from '$wire/config';
import type { InfoResponse } from '$wire/system';
import { api, ApiError, setUnauthorizedHandler } from './api';
import { setLanguage } from './i18n.svelte';

/** loading: first contact · signed-out: needs the token · ready: signed in · unreachable: no server. */
export type SessionStatus = 'loading' | 'signed-out' | 'ready' | 'unreachable';

class Session {
  status = $state<SessionStatus>('loading');
  info = $state<InfoResponse | null>(null);
  config = $state<PublicConfig | null>(null);

  constructor() {
    setUnauthorizedHandler(() => {
      this.status = 'signed-out';
    });
  }

  /** Reads the server info and config; decides between the studio and the sign-in screen. */
  async load(): Promise<void> {
    try {
      // One after the other: signed out, the first 401 is the whole answer.
      this.info = await api.get('/api/info');
      this.applyConfig(await api.get('/api/config'));
      this.status = 'ready';
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNAUTHORIZED') this.status = 'signed-out';
      else this.status = 'unreachable';
    }
  }

  /** Exchanges the launch token for the session cookie; rejects with ApiError 401 when it is wrong. */
  async signIn(token: string): Promise<void> {
    await api.post('/api/auth/session', { body: { token }, expectUnauthorized: true });
    await this.load();
  }

  /** Forgets the session cookie. */
  async signOut(): Promise<void> {
    await api.delete('/api/auth/session').catch(() => undefined);
    this.status = 'signed-out';
  }

  /** Takes a freshly read config as the shared one; its language becomes the studio's. */
  applyConfig(config: PublicConfig): void {
    this.config = config;
    setLanguage(config.profile.language);
  }

  /** Takes a saved profile (PUT /api/config/profile answers it) as the shared one. */
  applyProfile(profile: Profile): void {
    if (this.config) this.config = { ...this.config, profile };
    setLanguage(profile.language);
  }

  /** Switches the language and saves it in the profile; the switch is undone if saving fails. */
  async saveLanguage(lang: Language): Promise<void> {
    const before = this.config?.profile.language;
    setLanguage(lang);
    try {
      this.applyProfile(await api.put('/api/config/profile', { body: { language: lang } }));
    } catch (err) {
      if (before) setLanguage(before);
      throw err;
    }
  }
}

/** The one session of the studio. */
export const session = new Session();
