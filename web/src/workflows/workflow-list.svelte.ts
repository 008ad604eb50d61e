/** The history sidebar's data: every workflow, newest first, and deleting one. */
import type { WorkflowSummary } from '$wire/workflow';
import { legacyApi, describeError } from '../lib/api';

export class WorkflowList {
  items = $state.raw<WorkflowSummary[]>([]);
  loading = $state(false);
  error = $state('');

  /** Reads the list again (GET /api/workflow/list). */
  async refresh(): Promise<void> {
    this.loading = true;
    try {
      this.items = (await legacyApi.get<{ workflows: WorkflowSummary[] }>('/api/workflow/list')).workflows;
      this.error = '';
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.loading = false;
    }
  }

  /** Deletes a workflow with its steps and runs. */
  async remove(id: string): Promise<void> {
    await legacyApi.delete(`/api/workflow/${encodeURIComponent(id)}`);
    this.items = this.items.filter((w) => w.id !== id);
  }
}
