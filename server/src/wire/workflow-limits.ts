/** Workflow limits, zod-free so the studio imports the same numbers the server enforces. */
export const WORKFLOW_TITLE_MAX = 200;
export const WORKFLOW_GOAL_MAX = 10_000;
export const WORKFLOW_STEPS_MAX = 50;
/** Longest command or prompt of a step. */
export const STEP_TEXT_MAX = 20_000;
/** Longest approval or rejection note. */
export const APPROVAL_NOTE_MAX = 2_000;
