// Which steps are gated by default: those that write, delete, install or run agents.
import { describe, expect, it } from 'vitest';
import { isRiskyCommand, isRiskyStep } from '../../server/src/workflow/risk.js';

const SAFE = [
  'ls -la',
  'df -h /',
  'git status && git log --oneline -5',
  'cat package.json | grep version',
  'npm ls --depth 0',
  'npm test',
  'docker ps',
  'echo hi > /dev/null',
  'echo oops >&2',
  'uname -a; free -m',
  'find . -name "*.ts"',
  'grep -r TODO src 2>/dev/null',
  'systemctl status ssh',
  'env FOO=1 ls',
];
const RISKY = [
  'rm -rf build',
  'echo data > file.txt',
  'echo more >> log.txt',
  'npm install',
  'npm i -g typescript',
  'pip install requests',
  'apt-get install -y curl',
  'git push origin main',
  'git commit -m x',
  'git branch -D old',
  'sed -i s/a/b/ file',
  'curl -o out.bin https://example.com',
  'curl -fsSLO https://example.com/x',
  'wget https://example.com',
  'find . -name "*.tmp" -delete',
  'tar xzf a.tgz',
  'ls | xargs rm',
  'bash -c "rm x"',
  'sh script.sh',
  'env FOO=1 rm x',
  'timeout 5 mv a b',
  '$CMD arg',
  'cat <<EOF > conf\nx\nEOF',
  'echo "unterminated',
  'docker run --rm alpine',
  'mkdir -p out',
];

describe('isRiskyCommand', () => {
  it.each(SAFE)('reads only: %s', (command) => expect(isRiskyCommand(command)).toBe(false));
  it.each(RISKY)('may change something: %s', (command) => expect(isRiskyCommand(command)).toBe(true));
});

describe('isRiskyStep', () => {
  it('judges by kind and tool', () => {
    expect(isRiskyStep({ kind: 'agent' })).toBe(true);
    expect(isRiskyStep({ kind: 'prompt' })).toBe(false);
    expect(isRiskyStep({ kind: 'tool', tool: 'read_file' })).toBe(false);
    expect(isRiskyStep({ kind: 'tool', tool: 'write_file' })).toBe(true);
    expect(isRiskyStep({ kind: 'tool', tool: 'claude_run' })).toBe(true);
    expect(isRiskyStep({ kind: 'tool', tool: 'terminal', args: { command: 'ls' } })).toBe(false);
    expect(isRiskyStep({ kind: 'tool', tool: 'terminal', args: { command: 'rm x' } })).toBe(true);
    expect(isRiskyStep({ kind: 'shell', command: 'ls' })).toBe(false);
  });
});
