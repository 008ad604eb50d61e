/** Turning a refused save into messages next to the fields at fault. */
import { ApiError, describeError } from './api';

/** What a form shows after a failed save: one message per field, and the rest at the top. */
export interface FormErrors {
  /** Message at the top of the form ('' when every problem belongs to a field). */
  message: string;
  /** Field name → message. */
  fields: Record<string, string>;
}

/** No errors. */
export const NO_ERRORS: FormErrors = { message: '', fields: {} };

/**
 * Splits a server error over the form's fields. An issue path like `models.0` belongs to the
 * field `models`; issues for fields the form does not show stay in the top message.
 */
export function formErrors(err: unknown, fieldNames: readonly string[]): FormErrors {
  if (!(err instanceof ApiError) || err.issues.length === 0) return { message: describeError(err), fields: {} };
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const issue of err.issues) {
    const field = issue.path.split('.')[0] ?? '';
    if (fieldNames.includes(field)) fields[field] = fields[field] ? `${fields[field]}; ${issue.message}` : issue.message;
    else rest.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return { message: rest.join('; '), fields };
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** The fields of `draft` that differ from `base`: what a partial-merge PUT should send. */
export function changedFields<T extends object>(draft: T, base: T): Partial<T> {
  const patch: Partial<T> = {};
  for (const key of Object.keys(draft) as (keyof T)[]) {
    if (!same(draft[key], base[key])) patch[key] = draft[key];
  }
  return patch;
}

/**
 * Moves a draft onto newly saved values (another form, a rollback, the language switch):
 * fields the user has not touched follow, fields being edited keep the edit.
 */
export function rebase<T extends object>(draft: T, base: T, next: T): void {
  for (const key of Object.keys(next) as (keyof T)[]) {
    if (same(draft[key], base[key])) draft[key] = next[key];
  }
}
