import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../server/src/tools/sudo-guard.js';

const env = { HOME: '/home/dev', EDITOR: 'vim', PATH: '/usr/bin:/bin' };
const check = (command: string) => checkCommand(command, { env });

// Each spelling runs a privileged program; the second column is what the reason must name.
const BLOCKED: [string, string][] = [
  ['sudo id', 'sudo'],
  ['ls | sudo tee x', 'sudo'],
  ['cat a |& sudo tee b', 'sudo'],
  ['true; sudo id', 'sudo'],
  ['true && doas id', 'doas'],
  ['false || pkexec id', 'pkexec'],
  ['su -', 'su'],
  ['su -c id root', 'su'],
  ['sudoedit /etc/hosts', 'sudoedit'],
  ['run0 id', 'run0'],
  ['(sudo id)', 'sudo'],
  ['{ sudo id; }', 'sudo'],
  ['echo $(sudo id)', 'sudo'],
  ['echo "$(sudo id)"', 'sudo'],
  ['echo `sudo id`', 'sudo'],
  ['`sudo id`', 'sudo'],
  ['echo `echo \\`sudo id\\``', 'sudo'],
  ['diff <(sudo cat /etc/shadow) x', 'sudo'],
  ['tee >(sudo tee /etc/x) < y', 'sudo'],
  ['x=$(sudo id)', 'sudo'],
  ['echo ${x:-$(sudo id)}', 'sudo'],
  ['[[ $(sudo id) ]]', 'sudo'],
  ['cat <<EOF\n$(sudo id)\nEOF', 'sudo'],
  ['env sudo id', 'sudo'],
  ['env X=1 sudo id', 'sudo'],
  ['env -i X=1 Y=2 sudo id', 'sudo'],
  ['env -u HOME -C /tmp sudo id', 'sudo'],
  ['env - sudo id', 'sudo'],
  ['env -S "sudo id"', 'sudo'],
  ['command sudo id', 'sudo'],
  ['command -p sudo id', 'sudo'],
  ['builtin command sudo id', 'sudo'],
  ['exec sudo id', 'sudo'],
  ['exec -a name sudo id', 'sudo'],
  ['nohup sudo id &', 'sudo'],
  ['time sudo id', 'sudo'],
  ['time -p sudo id', 'sudo'],
  ['/usr/bin/time -f %e sudo id', 'sudo'],
  ['nice -n 5 sudo id', 'sudo'],
  ['timeout 5 sudo id', 'sudo'],
  ['timeout -s KILL 5 doas id', 'doas'],
  ['stdbuf -oL sudo id', 'sudo'],
  ['setsid sudo id', 'sudo'],
  ['watch -n 1 sudo id', 'sudo'],
  ['flock /tmp/lock sudo id', 'sudo'],
  ['flock /tmp/lock -c "sudo id"', 'sudo'],
  ['script -qc "sudo id" /dev/null', 'sudo'],
  ['coproc sudo id', 'sudo'],
  ['! sudo id', 'sudo'],
  ['xargs sudo rm', 'sudo'],
  ['find . -name x | xargs -0 -n 1 sudo rm', 'sudo'],
  ['find . -exec sudo rm {} +', 'sudo'],
  ['find . -execdir doas rm {} \\;', 'doas'],
  ['parallel sudo ::: id', 'sudo'],
  ['bash -c "sudo id"', 'sudo'],
  ["sh -c 'sudo id'", 'sudo'],
  ['bash -lc "sudo id"', 'sudo'],
  ['bash -o pipefail -c "sudo id"', 'sudo'],
  ['zsh -c "sudo id"', 'sudo'],
  ['busybox sh -c "sudo id"', 'sudo'],
  ['sh -c \'bash -c "sudo id"\'', 'sudo'],
  ['bash <<< "sudo id"', 'sudo'],
  ['bash <<EOF\nsudo id\nEOF', 'sudo'],
  ['eval sudo id', 'sudo'],
  ['eval "sudo id"', 'sudo'],
  ["trap 'sudo id' EXIT", 'sudo'],
  ["alias please='sudo'", 'sudo'],
  ['f() { sudo id; }; f', 'sudo'],
  ['for i in 1; do sudo id; done', 'sudo'],
  ['while true; do doas id; done', 'doas'],
  ['if true; then pkexec id; fi', 'pkexec'],
  ['case x in x) sudo id ;; esac', 'sudo'],
  ['/usr/bin/sudo id', 'sudo'],
  ['/bin/su', 'su'],
  ['./sudo id', 'sudo'],
  ['~/bin/sudo id', 'sudo'],
  ['X=1 sudo id', 'sudo'],
  ['LANG=C FOO=bar sudo -E id', 'sudo'],
  ['"sudo" id', 'sudo'],
  ["'sudo' id", 'sudo'],
  ['"su"do id', 'sudo'],
  ['s\\udo id', 'sudo'],
  ['\\sudo id', 'sudo'],
  ['su\\\ndo id', 'sudo'],
  ["$'sudo' id", 'sudo'],
  ["$'\\x73udo' id", 'sudo'],
  ["$'\\163udo' id", 'sudo'],
  ['X=sudo; $X id', 'sudo'],
  ['X=sudo; "$X" id', 'sudo'],
  ['$UNSET_VARIABLE sudo id', 'sudo'],
  ['"$HOME/bin/sudo" id', 'sudo'],
  ['sudo id # just a comment', 'sudo'],
];

// Each runs no privileged program; sudo is data, a file name, a search term or a comment.
const ALLOWED = [
  'echo sudo',
  'grep sudo /etc/group',
  'man sudo',
  '# sudo id',
  "printf 'sudo'",
  'echo "please run sudo apt update yourself"',
  'which sudo',
  'type sudo',
  'command -v sudo',
  'command -V doas',
  'ls -l /usr/bin/sudo',
  'cat /etc/sudoers.d/README',
  'apt-cache policy sudo',
  'git commit -m "sudo: fix"',
  'git log --grep=sudo',
  "cat <<'EOF'\nsudo id\nEOF",
  'bash -c "echo sudo"',
  'env | grep -i sudo',
  'timeout 5 grep sudo notes.txt',
  'xargs echo sudo',
  'echo sudo | xargs',
  'find . -name sudo -print',
  'find . -name "*.ts" -exec wc -l {} +',
  'xargs -I{} sh -c \'echo "$1"\' _ {}',
  'echo $(echo sudo)',
  'X=sudo echo done',
  'sudoku --solve',
  'pseudo x',
  'visudo_helper',
  '[ -x /usr/bin/sudo ] && echo present',
  '"$HOME/bin/tool" --flag',
  '$EDITOR notes.txt',
  'npm test -- --grep sudo',
  'cd /tmp && ls -la | grep x > out.txt 2>&1',
  'for f in *.txt; do echo "$f"; done',
  'bash script.sh',
];

// Each is refused because it cannot be checked, not because sudo was found.
const UNCHECKABLE: [string, RegExp][] = [
  ['echo "unterminated', /not valid shell syntax/],
  ['echo hi )', /not valid shell syntax/],
  ['if true; then', /not valid shell syntax/],
  ['echo a;; b', /not valid shell syntax/],
  ['$(which sudo) id', /computed at run time/],
  ['${SUDO:-sudo} id', /computed at run time/],
  ['"$(command -v doas)" id', /computed at run time/],
  ['{sudo,true} id', /glob or brace/],
  ['/usr/bin/su[d]o id', /glob or brace/],
  ['read c; $c id', /set at run time/],
  ['bash -c "$CMD"', /computed at run time/],
  ['eval "$(ssh-agent -s)"', /computed at run time/],
  ['echo sudo id | bash', /reads its commands from standard input/],
  ['echo id | xargs env', /comes from its input/],
  ['echo x | xargs -I{} sh -c "echo {}"', /pasted into shell text/],
  [`${'bash -c "'.repeat(1)}eval ${"eval ".repeat(12)}id"`, /nested more than/],
];

describe('sudo guard', () => {
  it.each(BLOCKED)('blocks %j, naming %s', (command, name) => {
    const verdict = check(command);
    expect(verdict.blocked).toBe(true);
    if (verdict.blocked) expect(verdict.reason).toContain(`would run ${name}`);
  });

  it.each(ALLOWED)('allows %j', (command) => {
    expect(check(command)).toEqual({ blocked: false });
  });

  it.each(UNCHECKABLE)('refuses %j because it cannot be checked', (command, why) => {
    const verdict = check(command);
    expect(verdict.blocked).toBe(true);
    if (verdict.blocked) expect(verdict.reason).toMatch(why);
  });

  it('covers at least 25 privileged spellings and 8 innocent ones', () => {
    expect(BLOCKED.length).toBeGreaterThanOrEqual(25);
    expect(ALLOWED.length).toBeGreaterThanOrEqual(8);
  });

  it('quotes the offending command and the shell text it sits in', () => {
    const verdict = check('cd /srv && bash -c "make && sudo make install"');
    expect(verdict).toMatchObject({ blocked: true, reason: expect.stringContaining('(inside bash -c)') });
    if (verdict.blocked) expect(verdict.reason).toContain('`sudo make install`');
  });

  it('says how to allow privileged commands', () => {
    const verdict = check('sudo id');
    if (!verdict.blocked) throw new Error('expected a block');
    expect(verdict.reason).toContain('sudo_bypass');
  });

  it('reports sudo inside a computed command name as sudo, not as a computed name', () => {
    const verdict = check('$(sudo which ls) -la');
    expect(verdict).toMatchObject({ blocked: true, reason: expect.stringContaining('would run sudo') });
  });

  it('resolves a command name held in an environment variable', () => {
    expect(checkCommand('$ELEVATE id', { env: { ELEVATE: 'doas' } })).toMatchObject({ blocked: true });
    expect(checkCommand('$PAGER file', { env: { PAGER: 'less' } })).toEqual({ blocked: false });
  });
});
