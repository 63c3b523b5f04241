// Integrating 20 done workers (no conflicts, no verify) against the plain git merge sequence it needs:
// a worktree on a fresh branch and 20 `git merge --no-ff`. Build first; run: node bench/integrate.js
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const D = new URL('../dist', import.meta.url).pathname;
const { integrate } = await import(`${D}/integrate/integrate.js`);
const { Git } = await import(`${D}/git/git.js`);
const { processRunner } = await import(`${D}/exec.js`);
const N = 20;
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@b',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@b',
};
Object.assign(process.env, env);
const base = mkdtempSync(join(tmpdir(), 'wo-bench-'));
const root = join(base, 'repo');
const git = (...a) => execFileSync('git', a, { cwd: root, env, encoding: 'utf8' });
execFileSync('mkdir', ['-p', root]);
git('init', '-q', '-b', 'main');
for (let i = 0; i < 200; i++) writeFileSync(join(root, `f${i}.txt`), `file ${i}\n`);
git('add', '.');
git('commit', '-q', '-m', 'init');
for (let i = 0; i < N; i++) {
  git('checkout', '-q', '-b', `wo/w${i}`, 'main');
  writeFileSync(join(root, `w${i}.txt`), `w${i}\n`);
  git('add', '.');
  git('commit', '-q', '-m', `w${i}`);
}
git('checkout', '-q', 'main');
const plain = () => {
  const wt = join(base, 'plain');
  const t = process.hrtime.bigint();
  git('worktree', 'add', '-q', '-B', 'plain-int', wt, 'main');
  for (let i = 0; i < N; i++)
    execFileSync('git', ['merge', '--no-ff', '--no-edit', '-q', '-m', `m${i}`, `refs/heads/wo/w${i}`], {
      cwd: wt,
      env,
    });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  git('worktree', 'remove', '--force', wt);
  git('branch', '-D', 'plain-int');
  return ms;
};
const wo = async () => {
  const wt = join(base, 'repo-worktrees', '_integration');
  const t = process.hrtime.bigint();
  const x = await integrate({
    git: new Git(processRunner),
    runner: processRunner,
    repoRoot: root,
    worktree: wt,
    branch: 'wo-int',
    base: 'main',
    workers: Array.from({ length: N }, (_, i) => ({
      feature: `w${i}`,
      branch: `wo/w${i}`,
      task: 't',
      needs: [],
    })),
    env,
    onConflict: 'skip',
  });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (x.outcome !== 'integrated' || x.merged.length !== N) throw new Error(JSON.stringify(x));
  git('worktree', 'remove', '--force', wt);
  git('branch', '-D', 'wo-int');
  return ms;
};
const P = [],
  W = [];
for (let k = 0; k < 7; k++) {
  P.push(plain());
  W.push(await wo());
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`plain ${P.map(Math.round).join(' ')} median ${med(P).toFixed(0)} ms`);
console.log(`wo    ${W.map(Math.round).join(' ')} median ${med(W).toFixed(0)} ms`);
console.log(`ratio ${(med(W) / med(P)).toFixed(2)}x`);
rmSync(base, { recursive: true, force: true });
