import type Database from 'better-sqlite3';
import { AppError } from '../http/errors.js';
import { SKILL_TEST_MAX_TOKENS } from '../limits.js';
import { completeChat, recordUsage, resolveProvider } from '../providers/index.js';
import type { AtelierConfig } from '../wire/config.js';
import type { SkillTestResult } from '../wire/skills.js';
import { samplePrompt, type LoadedSkill } from './catalog.js';

/** Sent when a skill names no `metadata.atelier-sample-prompt`. */
export const GENERIC_TEST_PROMPT =
  'Show how you would apply this skill to a realistic task of your choosing: name the task, then walk through what you would do, step by step, and what you would deliver.';

/** The system prompt of a test run: a short frame, then the SKILL.md body exactly as an agent would load it. */
function systemPrompt(skill: LoadedSkill): string {
  return [
    `The agent skill "${skill.name}" is active. Follow its instructions below.`,
    'This is a dry run: you cannot run commands or read the files the skill bundles (scripts/, references/, assets/), so say what you would run or read and what you would expect, then continue as if it had worked.',
    '',
    skill.parsed.body.trim(),
  ].join('\n');
}

/**
 * Sends the skill's sample prompt to a model with the skill's body as the system prompt, once.
 * With no provider configured the run is skipped (not an error: validation still answers);
 * any other provider problem is thrown as the provider's own error.
 */
export async function runSkillTest(
  db: Database.Database,
  config: AtelierConfig,
  skill: LoadedSkill,
  selection: { provider?: string | undefined; model?: string | undefined },
  signal: AbortSignal,
): Promise<SkillTestResult['run']> {
  let chosen: ReturnType<typeof resolveProvider>;
  try {
    chosen = resolveProvider(config, { ...(selection.provider && { provider: selection.provider }), ...(selection.model && { model: selection.model }) });
  } catch (err) {
    if (err instanceof AppError && err.code === 'NO_PROVIDER') {
      return { skipped: config.providers.length === 0 ? 'no provider configured' : 'no provider selected: name one, or choose an active provider in the profile' };
    }
    throw err;
  }
  const { provider, model } = chosen;
  const prompt = samplePrompt(skill) ?? GENERIC_TEST_PROMPT;
  const started = performance.now();
  const done = await completeChat({
    provider,
    model,
    messages: [
      { role: 'system', content: systemPrompt(skill) },
      { role: 'user', content: prompt },
    ],
    max_tokens: SKILL_TEST_MAX_TOKENS,
    signal,
  });
  const latency_ms = Math.round(performance.now() - started);
  recordUsage(db, { provider_id: provider.id, model, ...done.usage });
  return { provider: provider.id, model, prompt, answer: done.text, usage: done.usage, latency_ms };
}
