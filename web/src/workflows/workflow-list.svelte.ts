/** The history sidebar's data: every workflow, newest first, and deleting one. */
import type { WorkflowSummary } from '$wire/workflow';
import { api } from '../lib/api';
import { LoadState } from '../lib/load-state.svelte';

export class WorkflowList extends LoadState {
  items = $state.raw<WorkflowSummary[]>([]);

  /** Reads the list again (GET /api/workflow/list). */
  async refresh(): Promise<void> {
    await this.run(
      () => api.get('/api/workflow/list'),
      (list) => (this.items = list.workflows),
    );
  }

  /** Deletes a workflow with its steps and runs. */
  async remove(id: string): Promise<void> {
    await api.delete('/api/workflow/:id', { params: { id } });
    this.supersede();
    this.items = this.items.filter((w) => w.id !== id);
  }
}
