// Deploying skills into a temporary HOME: the four targets, the manifest that tells Atelier's
// copies from the user's, and undeploy that removes only what Atelier wrote.
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { call, filesIn, tree, writeSkill } from './fixtures.js';

const home = tempDir('atelier-skills-home-');
process.env.HOME = home.dir;

const ROOT = join(import.meta.dirname, '..', '..');
const project = join(home.dir, 'work', 'project');
mkdirSync(project, { recursive: true });

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  home.remove();
});

const deploy = (body: unknown) => call(server, 'POST', '/api/skills/deploy', body);
const undeploy = (body: unknown) => call(server, 'POST', '/api/skills/undeploy', body);
const manifest = () => JSON.parse(readFileSync(join(server.home, 'skills-deployments.json'), 'utf8'));
async function deploymentsOf(name: string): Promise<any[]> {
  const { json } = await call(server, 'GET', '/api/skills');
  return json.skills.find((s: any) => s.name === name).deployments;
}

const TARGETS = [
  { target: 'claude', dir: () => join(home.dir, '.claude', 'skills') },
  { target: 'claude-project', project_dir: project, dir: () => join(project, '.claude', 'skills') },
  { target: 'opencode', dir: () => join(home.dir, '.config', 'opencode', 'skills') },
  { target: 'agents', dir: () => join(home.dir, '.agents', 'skills') },
] as const;

describe('POST /api/skills/deploy and /undeploy', () => {
  it.each(TARGETS)('deploys to $target, byte for byte with exec bits, then undeploys to nothing', async ({ target, dir, ...rest }) => {
    const body = { name: 'code-review', target, ...rest };
    const { status, json } = await deploy(body);
    expect(status, JSON.stringify(json)).toBe(200);
    const dest = join(dir(), 'code-review');
    expect(json).toMatchObject({ updated: false, deployment: { target, path: dest, state: 'intact', outdated: false } });
    const source = join(ROOT, 'skills', 'code-review');
    expect(tree(dest)).toEqual(tree(source));
    for (const file of ['SKILL.md', 'scripts/diff-hotspots.sh', 'references/checklist.md']) {
      expect(readFileSync(join(dest, file)).equals(readFileSync(join(source, file))), file).toBe(true);
    }
    expect(statSync(join(dest, 'scripts/diff-hotspots.sh')).mode & 0o111).not.toBe(0);
    expect(statSync(join(dest, 'SKILL.md')).mode & 0o111).toBe(0);
    expect(manifest().deployments.find((d: any) => d.path === dest).files.map((f: any) => f.path)).toEqual(filesIn(source));
    expect(await deploymentsOf('code-review')).toEqual([expect.objectContaining({ target, path: dest, state: 'intact', project_dir: 'project_dir' in rest ? project : null })]);

    const removed = await undeploy(body);
    expect(removed.status).toBe(200);
    expect(removed.json).toMatchObject({ path: dest, kept: [], missing: [], folder_removed: true });
    expect(removed.json.removed).toHaveLength(3);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(dir())).toBe(true); // the agent's own skills folder stays
    expect(manifest().deployments).toEqual([]);
  });

  it('keeps a file the user changed and one they added on undeploy, and reports both', async () => {
    const dest = join(home.dir, '.claude', 'skills', 'write-adr');
    expect((await deploy({ name: 'write-adr', target: 'claude' })).status).toBe(200);
    appendFileSync(join(dest, 'assets', 'adr-template.md'), '\nOur own section.\n');
    writeFileSync(join(dest, 'scripts', 'mine.sh'), 'echo mine\n');
    const [deployment] = await deploymentsOf('write-adr');
    expect(deployment).toMatchObject({ state: 'modified', changed: ['assets/adr-template.md'], missing: [] });

    const { json } = await undeploy({ name: 'write-adr', target: 'claude' });
    expect(json.removed.sort()).toEqual(['SKILL.md', 'scripts/new-adr.sh']);
    expect(json.kept).toEqual([
      { path: 'assets/adr-template.md', reason: 'modified' },
      { path: 'scripts/mine.sh', reason: 'added' },
    ]);
    expect(json.folder_removed).toBe(false);
    expect(readFileSync(join(dest, 'assets', 'adr-template.md'), 'utf8')).toContain('Our own section.');
    expect(tree(dest)).toEqual(['assets', 'assets/adr-template.md', 'scripts', 'scripts/mine.sh']);
    // What is left is the user's now: deploying again would clobber it, so it is refused.
    expect((await deploy({ name: 'write-adr', target: 'claude' })).json.code).toBe('SKILL_EXISTS');
  });

  it("answers 409 over the user's own skill of the same name and leaves it untouched", async () => {
    const dest = join(home.dir, '.agents', 'skills', 'release-notes');
    mkdirSync(dest, { recursive: true });
    writeFileSync(join(dest, 'SKILL.md'), 'my own release notes skill');
    const { status, json } = await deploy({ name: 'release-notes', target: 'agents' });
    expect(status).toBe(409);
    expect(json.code).toBe('SKILL_EXISTS');
    expect(json.error).toContain(dest);
    expect(readdirSync(dest)).toEqual(['SKILL.md']);
    expect(readFileSync(join(dest, 'SKILL.md'), 'utf8')).toBe('my own release notes skill');
    expect((await undeploy({ name: 'release-notes', target: 'agents' })).json.code).toBe('NOT_DEPLOYED');
    expect(existsSync(join(dest, 'SKILL.md'))).toBe(true);
  });

  it('refuses a symbolic link where the skill would go', async () => {
    const skills = join(home.dir, '.config', 'opencode', 'skills');
    mkdirSync(skills, { recursive: true });
    symlinkSync(join(home.dir, 'work'), join(skills, 'commit-message'));
    expect((await deploy({ name: 'commit-message', target: 'opencode' })).json.code).toBe('SKILL_EXISTS');
  });

  it('updates its own copy on redeploy, removing a file the new version dropped', async () => {
    const source = join(server.home, 'skills', 'evolving');
    writeSkill(source, 'name: evolving\ndescription: Changes over time.', 'Run scripts/a.sh.\n', { 'scripts/a.sh': { data: 'echo a\n', mode: 0o755 }, 'notes.txt': 'v1' });
    expect((await deploy({ name: 'evolving', target: 'claude' })).status).toBe(200);
    writeSkill(source, 'name: evolving\ndescription: Changes over time.', 'Run scripts/a.sh again.\n', { 'scripts/a.sh': { data: 'echo a2\n', mode: 0o755 } });
    // The deployed copy is as Atelier wrote it, but the skill has moved on.
    expect((await deploymentsOf('evolving'))[0]).toMatchObject({ state: 'intact', outdated: true });
    rmSync(join(source, 'notes.txt'));
    const { status, json } = await deploy({ name: 'evolving', target: 'claude' });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json).toMatchObject({ updated: true, removed: ['notes.txt'], kept: [], deployment: { state: 'intact', outdated: false } });
    const dest = join(home.dir, '.claude', 'skills', 'evolving');
    expect(readFileSync(join(dest, 'scripts', 'a.sh'), 'utf8')).toBe('echo a2\n');
    expect(existsSync(join(dest, 'notes.txt'))).toBe(false);
    expect((await undeploy({ name: 'evolving', target: 'claude' })).json.folder_removed).toBe(true);
  });

  it('refuses to update over a file the user changed unless asked to overwrite', async () => {
    expect((await deploy({ name: 'debug-failing-test', target: 'claude' })).status).toBe(200);
    const file = join(home.dir, '.claude', 'skills', 'debug-failing-test', 'references', 'runners.md');
    writeFileSync(file, 'my notes');
    const refused = await deploy({ name: 'debug-failing-test', target: 'claude' });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'SKILL_DEPLOY_CONFLICT', issues: [{ path: 'references/runners.md' }] });
    expect(readFileSync(file, 'utf8')).toBe('my notes');
    expect((await deploy({ name: 'debug-failing-test', target: 'claude', overwrite: true })).status).toBe(200);
    expect(readFileSync(file, 'utf8')).not.toBe('my notes');
    expect((await undeploy({ name: 'debug-failing-test', target: 'claude' })).json.folder_removed).toBe(true);
  });

  it('refuses to deploy an invalid skill with its validation errors (422)', async () => {
    writeSkill(join(server.home, 'skills', 'broken-skill'), 'name: Broken_Skill\ndescription: ok', 'See references/gone.md.\n');
    const { status, json } = await deploy({ name: 'broken-skill', target: 'claude' });
    expect(status).toBe(422);
    expect(json.code).toBe('SKILL_INVALID');
    expect(json.issues.map((i: any) => i.path)).toEqual(expect.arrayContaining(['name', 'body']));
    expect(existsSync(join(home.dir, '.claude', 'skills', 'broken-skill'))).toBe(false);
  });

  it('needs project_dir for claude-project, inside the home directory, and refuses it elsewhere', async () => {
    expect((await deploy({ name: 'code-review', target: 'claude-project' })).json.issues[0].path).toBe('project_dir');
    expect((await deploy({ name: 'code-review', target: 'claude', project_dir: project })).json.issues[0].path).toBe('project_dir');
    expect((await deploy({ name: 'code-review', target: 'claude-project', project_dir: '/' })).json.code).toBe('PATH_OUTSIDE_HOME');
    expect((await deploy({ name: 'code-review', target: 'claude-project', project_dir: 'relative/dir' })).status).toBe(400);
    expect((await deploy({ name: 'code-review', target: 'claude-project', project_dir: join(home.dir, 'absent') })).status).toBe(404);
    expect((await deploy({ name: 'no-such-skill', target: 'claude' })).json.code).toBe('SKILL_NOT_FOUND');
  });
});
