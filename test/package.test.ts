// The published package: its name and command, a LICENSE that matches package.json, and a tarball
// with what wo needs at run time and the docs the README links to — and no development-only files.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as Record<string, unknown> & {
  files: string[];
  bin: Record<string, string>;
};

/** The files `npm pack` would put in the tarball (its dry run; no scripts, so dist is not rebuilt). */
function packed(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root.pathname,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'silent' },
  });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
}

// repository, homepage and bugs are left out until the project's public address is known: a guessed
// address would send npm's users to someone else's page.
test('the package is worker-orchestrator, its command wo, with keywords', () => {
  expect(pkg.name).toBe('worker-orchestrator');
  expect(pkg.bin).toEqual({ wo: 'bin/wo.cjs' });
  expect((pkg.keywords as string[]).length).toBeGreaterThan(3);
});

test('LICENSE is the license package.json names', () => {
  expect(pkg.license).toBe('MIT');
  expect(readFileSync(new URL('LICENSE', root), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
});

test('the tarball has the run-time files and the linked docs, and nothing only development needs', () => {
  const files = packed();
  for (const f of [
    'bin/wo.cjs',
    'LICENSE',
    'README.md',
    'package.json',
    'schemas/workers.schema.json',
    'scripts/wo-worker.sh',
  ])
    expect(files).toContain(f);
  // Every page the README links to relatively is in the package, so the links work from node_modules.
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const linked = [...readme.matchAll(/\]\(((?:docs|examples|schemas)\/[^)#]+)/g)].map((m) => m[1]!);
  expect(linked.length).toBeGreaterThan(2);
  for (const l of linked) expect(files).toContain(l);
  const dev = files.filter((f) =>
    /^(src|test|bench|\.ci|\.github|node_modules)\/|^(jest\.config|eslint\.config|tsconfig)|^dist\/plan\/gen-types|^scripts\/install-agents|\.tgz$/.test(
      f,
    ),
  );
  expect(dev).toEqual([]);
});
