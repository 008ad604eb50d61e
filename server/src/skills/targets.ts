import { homedir } from 'node:os';
import { join } from 'node:path';
import { resolveProjectDir } from '../fs/project-dir.js';
import type { SkillTarget, SkillTargetInfo } from '../wire/skills.js';

/** Where one agent reads skills: a folder under the home directory or under a project. */
interface TargetSpec {
  id: SkillTarget;
  label: string;
  root: 'home' | 'project';
  /** Path of the skills folder below the root. */
  segments: readonly string[];
}

/** The deploy targets, as data: adding an agent is one row. */
export const TARGETS: readonly TargetSpec[] = [
  { id: 'claude', label: 'Claude Code (all projects)', root: 'home', segments: ['.claude', 'skills'] },
  { id: 'claude-project', label: 'Claude Code (one project)', root: 'project', segments: ['.claude', 'skills'] },
  { id: 'opencode', label: 'OpenCode', root: 'home', segments: ['.config', 'opencode', 'skills'] },
  { id: 'agents', label: 'Codex and other agents reading ~/.agents', root: 'home', segments: ['.agents', 'skills'] },
];

function spec(id: SkillTarget): TargetSpec {
  return TARGETS.find((t) => t.id === id)!;
}

/** The targets as the studio shows them; the home directory is read now (it is not cached). */
export function targetInfos(): SkillTargetInfo[] {
  const home = homedir();
  return TARGETS.map((t) => ({
    id: t.id,
    label: t.label,
    needs_project_dir: t.root === 'project',
    dir: join(t.root === 'home' ? home : '<project_dir>', ...t.segments),
  }));
}

/** Where a deployment of `name` to `target` goes. */
export interface Destination {
  /** The deployed folder, `<skills folder>/<name>`. */
  path: string;
  /** The real project directory for project targets, else null. */
  projectDir: string | null;
}

/**
 * The folder a skill deploys to. The home directory is read at each call (tests and users
 * change HOME); a project directory must be absolute and resolve inside home (resolveProjectDir).
 */
export async function destinationOf(target: SkillTarget, name: string, projectDir: string | undefined): Promise<Destination> {
  const t = spec(target);
  const home = homedir();
  const root = t.root === 'home' ? home : await resolveProjectDir(projectDir!, home);
  return { path: join(root, ...t.segments, name), projectDir: t.root === 'project' ? root : null };
}
