// Skill validation against the Agent Skills format: every built-in skill passes; each rule of
// the format answers with the field at fault, all problems at once; referenced files must exist.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { call, skillMd, writeSkill } from './fixtures.js';

const home = tempDir('atelier-skills-home-');
process.env.HOME = home.dir;

const ROOT = join(import.meta.dirname, '..', '..');
const BUILTIN = readdirSync(join(ROOT, 'skills'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(ROOT, 'skills', e.name, 'SKILL.md')))
  .map((e) => e.name);

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  home.remove();
});

const validate = (body: unknown) => call(server, 'POST', '/api/skills/validate', body);
const errorsAt = (json: any, path: string): string[] => json.errors.filter((e: any) => e.path === path).map((e: any) => e.message);

describe('built-in skills', () => {
  it('ships at least four, and GET /api/skills lists each as a valid built-in', async () => {
    expect(BUILTIN.length).toBeGreaterThanOrEqual(4);
    const { status, json } = await call(server, 'GET', '/api/skills');
    expect(status).toBe(200);
    for (const name of BUILTIN) {
      const row = json.skills.find((s: any) => s.name === name);
      expect(row, name).toMatchObject({ source: 'builtin', validation: { valid: true, errors: 0 }, deployments: [] });
      expect(row.description.length).toBeGreaterThan(0);
      expect(row.files).toBeGreaterThan(1);
    }
    expect(json.targets.map((t: any) => t.id)).toEqual(['claude', 'claude-project', 'opencode', 'agents']);
  });

  it('GET /api/skills/{name} answers SKILL.md, the files with their exec bit and the full validation', async () => {
    const { status, json } = await call(server, 'GET', '/api/skills/code-review');
    expect(status).toBe(200);
    expect(json.content).toBe(readFileSync(join(ROOT, 'skills', 'code-review', 'SKILL.md'), 'utf8'));
    expect(json.file_list).toContainEqual({ path: 'scripts/diff-hotspots.sh', size: expect.any(Number), executable: true });
    expect(json.file_list).toContainEqual({ path: 'SKILL.md', size: expect.any(Number), executable: false });
    expect(json.validation_detail).toMatchObject({ valid: true, errors: [] });
    expect(json.sample_prompt).toMatch(/Review/);
    expect((await call(server, 'GET', '/api/skills/nope')).status).toBe(404);
  });

  it.each(BUILTIN)('%s validates with no error', async (name) => {
    const { status, json } = await validate({ name });
    expect(status).toBe(200);
    expect(json.errors, JSON.stringify(json.errors)).toEqual([]);
    expect(json.valid).toBe(true);
  });
});

describe('POST /api/skills/validate', () => {
  const good = 'name: my-skill\ndescription: Does a thing. Use when a thing is needed.';

  it('accepts a minimal skill given as text', async () => {
    const { json } = await validate({ content: skillMd(good) });
    expect(json).toMatchObject({ valid: true, errors: [] });
  });

  it.each([
    ['uppercase', 'My-Skill', /lowercase/],
    ['a leading hyphen', '-my-skill', /start or end with a hyphen/],
    ['a trailing hyphen', 'my-skill-', /start or end with a hyphen/],
    ['consecutive hyphens', 'my--skill', /consecutive hyphens/],
    ['65 characters', 'a'.repeat(65), /65 characters.*at most 64/],
    ['an underscore', 'my_skill', /may only contain/],
  ])('refuses a name with %s, naming the field', async (_what, name, message) => {
    const { json } = await validate({ content: skillMd(`name: ${name}\ndescription: ok`) });
    expect(json.valid).toBe(false);
    expect(errorsAt(json, 'name').join(' ')).toMatch(message);
    expect(json.errors.find((e: any) => e.path === 'name').line).toBe(2);
  });

  it('accepts a name of exactly 64 characters', async () => {
    const { json } = await validate({ content: skillMd(`name: ${'a'.repeat(64)}\ndescription: ok`) });
    expect(errorsAt(json, 'name')).toEqual([]);
  });

  it('refuses a name that differs from its folder', async () => {
    const { json } = await validate({ name: 'code-review', content: skillMd('name: other-skill\ndescription: ok') });
    expect(errorsAt(json, 'name').join(' ')).toMatch(/folder name "code-review"/);
  });

  it('refuses a 1025-character description and accepts 1024', async () => {
    const long = await validate({ content: skillMd(`name: x\ndescription: ${'d'.repeat(1025)}`) });
    expect(errorsAt(long.json, 'description').join(' ')).toMatch(/1025 characters.*at most 1024/);
    const max = await validate({ content: skillMd(`name: x\ndescription: ${'d'.repeat(1024)}`) });
    expect(errorsAt(max.json, 'description')).toEqual([]);
  });

  it('refuses compatibility of 501 characters and accepts 500', async () => {
    const long = await validate({ content: skillMd(`name: x\ndescription: ok\ncompatibility: ${'c'.repeat(501)}`) });
    expect(errorsAt(long.json, 'compatibility').join(' ')).toMatch(/501 characters.*at most 500/);
    const max = await validate({ content: skillMd(`name: x\ndescription: ok\ncompatibility: ${'c'.repeat(500)}`) });
    expect(errorsAt(max.json, 'compatibility')).toEqual([]);
  });

  it('reports every problem at once: missing description, non-string metadata, list allowed-tools', async () => {
    const { json } = await validate({ content: skillMd('name: Bad--Name-\nmetadata:\n  version: 1.0\n  author: me\nallowed-tools: [Read, Grep]\nlicense: 3') });
    const paths = json.errors.map((e: any) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'description', 'metadata.version', 'allowed-tools', 'license']));
    expect(errorsAt(json, 'name').length).toBeGreaterThanOrEqual(3); // uppercase, hyphen at the end, "--"
    expect(paths).not.toContain('metadata.author');
  });

  it('warns about fields outside the format and a missing sample prompt, without failing', async () => {
    const { json } = await validate({ content: skillMd(`${good}\nversion: 2\nuser-invocable: true`) });
    expect(json.valid).toBe(true);
    expect(json.warnings.map((w: any) => w.path)).toEqual(expect.arrayContaining(['version', 'user-invocable', 'metadata.atelier-sample-prompt']));
  });

  it('refuses text without front matter, and YAML that does not parse, with the line', async () => {
    const none = await validate({ content: '# Just a title\n' });
    expect(none.json.errors[0]).toMatchObject({ path: 'frontmatter', line: 1 });
    const broken = await validate({ content: '---\nname: x\ndescription: [unclosed\n---\nbody' });
    expect(broken.json.valid).toBe(false);
    expect(broken.json.errors[0].path).toBe('frontmatter');
    expect(broken.json.errors[0].message).toMatch(/invalid YAML/);
    const twice = await validate({ content: '---\nname: x\ndescription: ok\nname: y\n---\nbody' });
    expect(twice.json.errors[0]).toMatchObject({ path: 'frontmatter', line: 4, message: expect.stringMatching(/unique/) });
  });

  it("refuses a referenced file missing from the skill's folder, with its line", async () => {
    const body = '# Use\n\nRun `sh scripts/diff-hotspots.sh` then `sh scripts/missing.sh`.\n\nSee [the list](references/nope.md).\n';
    const { json } = await validate({ name: 'code-review', content: skillMd('name: code-review\ndescription: ok', body) });
    const messages = errorsAt(json, 'body');
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/scripts\/missing\.sh, which does not exist/);
    expect(messages[1]).toMatch(/references\/nope\.md, which does not exist/);
    expect(json.errors.filter((e: any) => e.path === 'body').map((e: any) => e.line)).toEqual([8, 10]);
  });

  it('refuses references that climb out of the folder or are absolute, even without a folder', async () => {
    const body = 'Read [this](../other-skill/SKILL.md) and [that](/etc/passwd); ignore [a site](https://example.com) and [an anchor](#use).\n';
    const { json } = await validate({ content: skillMd(good, body) });
    const messages = errorsAt(json, 'body').join('\n');
    expect(messages).toMatch(/\.\.\/other-skill\/SKILL\.md, which climbs out of the skill folder/);
    expect(messages).toMatch(/\/etc\/passwd, which is an absolute path/);
    expect(messages).not.toMatch(/example\.com|#use/);
  });

  it('checks a skill on disk by name: an imported skill with a broken reference is invalid', async () => {
    writeSkill(join(server.home, 'skills', 'half-done'), 'name: half-done\ndescription: ok', 'Run `scripts/go.sh`, then read assets/template.md.\n', { 'scripts/go.sh': { data: '#!/bin/sh\n', mode: 0o755 } });
    const { json } = await validate({ name: 'half-done' });
    expect(json.valid).toBe(false);
    expect(errorsAt(json, 'body')).toEqual([expect.stringMatching(/assets\/template\.md, which does not exist/)]);
  });

  it('answers 404 for an unknown skill and 400 for a name with a path in it', async () => {
    expect((await validate({ name: 'no-such-skill' })).json.code).toBe('SKILL_NOT_FOUND');
    expect((await validate({ name: '../etc' })).status).toBe(400);
    expect((await validate({})).status).toBe(400);
  });
});
