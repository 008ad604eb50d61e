/**
 * The planner form's state: the goal, what the model should know besides it, and the answer of
 * POST /api/workflow/plan. Kept while the studio is open, so a half-written goal survives a visit
 * to another page.
 */
import { api, ApiError, describeError } from '../lib/api';
import { t } from '../lib/i18n.svelte';
import { modelChoice } from '../studio/model-choice.svelte';
import { workflowView } from './workflow.svelte';

/** What the user reads when planning failed: a plan the model got wrong twice is said as such. */
function planError(err: unknown): string {
  const message = describeError(err);
  if (!(err instanceof ApiError)) return message;
  const details = err.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  const full = details ? `${message} (${details})` : message;
  return err.code === 'PLAN_INVALID' ? t('workflows.plan_invalid', { error: full }) : full;
}

class Planner {
  goal = $state('');
  context = $state('');
  planning = $state(false);
  error = $state('');

  /** Asks the model for a plan with the studio's provider and model; the saved draft opens in the editor. */
  async plan(): Promise<void> {
    if (this.planning) return;
    if (!this.goal.trim()) {
      this.error = t('workflows.goal_required');
      return;
    }
    this.planning = true;
    this.error = '';
    const { provider, model } = modelChoice;
    try {
      const plan = await api.post('/api/workflow/plan', {
        body: {
          goal: this.goal.trim(),
          ...(this.context.trim() && { context: this.context.trim() }),
          ...(provider && { provider }),
          ...(model && { model }),
        },
      });
      workflowView.showPlanned(plan);
      this.goal = '';
      this.context = '';
    } catch (err) {
      this.error = planError(err);
    } finally {
      this.planning = false;
    }
  }
}

/** The Workflows page's one planner. */
export const planner = new Planner();
