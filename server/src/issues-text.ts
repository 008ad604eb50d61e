/** What zod reports of one problem, as far as a message needs it. */
interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * Zod's issues as one line that names each field at fault: `a.b: message; c: message`. A
 * problem with the value as a whole is named `root` (e.g. "(root)", "frame").
 */
export function issuesText(issues: readonly Issue[], root = '(root)'): string {
  return issues.map((i) => `${i.path.map(String).join('.') || root}: ${i.message}`).join('; ');
}
