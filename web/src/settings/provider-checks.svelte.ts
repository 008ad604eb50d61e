/**
 * The live checks of the providers on the settings page: validate (one cheap real request),
 * verify (text, tool-call and streaming probes) and the vendors' quotas.
 */
import type { QuotaEntry, ValidateResult, VerifyResult } from '$wire/providers';
import { api, describeError } from '../lib/api';

/** A check's answer, or why it could not be made (the route failed, not the provider). */
export type Outcome<T> = { result: T } | { error: string };

export class ProviderChecks {
  validating = $state<Record<string, boolean>>({});
  validations = $state<Record<string, Outcome<ValidateResult>>>({});
  verifying = $state<Record<string, boolean>>({});
  verifications = $state<Record<string, Outcome<VerifyResult>>>({});
  /** Provider id → its quota line; absent until read. */
  quotas = $state.raw<Record<string, QuotaEntry>>({});
  quotaLoading = $state(false);
  quotaError = $state('');

  /** Tests the saved provider's key with one cheap request. */
  async validate(id: string): Promise<void> {
    this.validating[id] = true;
    try {
      this.validations[id] = { result: await api.post('/api/providers/validate', { body: { provider_id: id } }) };
    } catch (err) {
      this.validations[id] = { error: describeError(err) };
    } finally {
      this.validating[id] = false;
    }
  }

  /** Runs the three probes against the saved provider's model. */
  async verify(id: string): Promise<void> {
    this.verifying[id] = true;
    try {
      this.verifications[id] = { result: await api.post('/api/providers/:id/verify', { params: { id } }) };
    } catch (err) {
      this.verifications[id] = { error: describeError(err) };
    } finally {
      this.verifying[id] = false;
    }
  }

  /** Reads every provider's quota (vendors without a quota API answer `supported: false`). */
  async loadQuotas(): Promise<void> {
    this.quotaLoading = true;
    try {
      const entries = await api.get('/api/providers/quota');
      this.quotas = Object.fromEntries(entries.map((e) => [e.provider_id, e]));
      this.quotaError = '';
    } catch (err) {
      this.quotaError = describeError(err);
    } finally {
      this.quotaLoading = false;
    }
  }

  /** Forgets the results of a provider that changed or went away. */
  forget(id: string): void {
    delete this.validations[id];
    delete this.verifications[id];
  }
}
