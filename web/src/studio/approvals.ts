/**
 * Answering a tool call that waits in the chat (POST /api/chat/approve). The answer names the
 * request's hash, so it approves exactly what the card showed; a refusal (409: answered already
 * or changed, 410: expired or withdrawn) is said in a toast and the card stays until the
 * stream's `approval_resolved` takes it away.
 */
import type { ApprovalRequest, ApproveRequest } from '$wire/permissions';
import { api, describeError } from '../lib/api';
import { t } from '../lib/i18n.svelte';
import { notify } from '../lib/toasts.svelte';
import { ruleText } from '../permissions/policy';

/** Sends the user's answer; resolves true when the server took it. */
export async function answerApproval(request: ApprovalRequest, decision: ApproveRequest['decision'], note = ''): Promise<boolean> {
  const body: ApproveRequest = { id: request.id, hash: request.hash, decision, ...(note && { note }) };
  try {
    const answer = await api.post('/api/chat/approve', { body });
    if (answer.saved_rules.length > 0) notify('success', t('approval.saved_rules', { rules: answer.saved_rules.map(ruleText).join(', ') }));
    return true;
  } catch (err) {
    notify('error', t('approval.answer_failed', { error: describeError(err) }));
    return false;
  }
}
