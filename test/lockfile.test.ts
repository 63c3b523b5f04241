// npm ci accepts package-lock.json only when it is complete: every optional dependency (the other
// platforms' native packages included) must have an entry. npm silently leaves one out when the
// registry lacks that exact version, and CI then fails on a fresh machine; this catches it here.
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
}

function missingOptionals(lock: { packages: Record<string, LockEntry> }): string[] {
  const missing: string[] = [];
  for (const [where, entry] of Object.entries(lock.packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      // npm resolves from the package's own node_modules up to the top.
      const parts = where ? where.split('/node_modules/') : [];
      let found = false;
      for (let i = parts.length; i >= 0 && !found; i--) {
        const prefix = parts.slice(0, i).join('/node_modules/');
        found = `${prefix ? `${prefix}/` : ''}node_modules/${name}` in lock.packages;
      }
      if (!found) missing.push(`${where || '(root)'} → ${name}`);
    }
  }
  return missing;
}

describe('package-lock.json', () => {
  test('has an entry for every optional dependency, so that npm ci accepts it', () => {
    const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
    expect(missingOptionals(lock)).toEqual([]);
  });

  test('the check finds a missing platform package', () => {
    const lock = {
      packages: {
        '': {},
        'node_modules/@swc/core': { optionalDependencies: { '@swc/core-darwin-arm64': '1.0.0' } },
      },
    };
    expect(missingOptionals(lock)).toEqual(['node_modules/@swc/core → @swc/core-darwin-arm64']);
  });
});
