import type { WorkflowStep } from '$wire/workflow';

/** The arguments a step's approval card shows beside its preview. */
export function stepArgs(step: WorkflowStep): Record<string, unknown> {
  if (step.kind === 'shell') return { command: step.command ?? '' };
  if (step.kind === 'agent') return { prompt: step.prompt ?? '' };
  if (step.kind === 'tool') return step.args ?? {};
  return { prompt: step.prompt ?? '' };
}
