// The schemas: valid JSON Schema, described key by key, in step with the code, the generated types and docs.
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import type { JsonSchema } from '../../src/plan/ajv-messages.js';
import { DURATION_PATTERN } from '../../src/plan/duration.js';
import {
  renderSchemaTypes,
  renderValidators,
  SCHEMA_TYPES_FILE,
  VALIDATORS_FILE,
} from '../../src/plan/gen-types.js';
import { readSchema } from '../../src/plan/schema.js';
import { FEATURE_PATTERN } from '../../src/plan/types.js';

const plan = readSchema('plan');
const config = readSchema('config');
const root = new URL('../../', import.meta.url);

/** Follows `#/definitions/x` and `workers.schema.json#/definitions/x`. */
function deref(s: JsonSchema): JsonSchema {
  const name = s.$ref?.replace(/^.*#\/definitions\//, '');
  return name !== undefined ? plan.definitions![name]! : s;
}

/**
 * Every key the schema names, as a path: `defaults.timeout`, `workers[].feature`, `agents.NAME.command`.
 * `describe` receives each key's own schema (before $ref is followed), for the description check.
 */
function keyPaths(schema: JsonSchema, prefix = '', visit?: (path: string, s: JsonSchema) => void): string[] {
  const s = deref(schema);
  const out: string[] = [];
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    visit?.(path, sub);
    out.push(path, ...keyPaths(sub, path, visit));
  }
  if (s.items) out.push(...keyPaths(s.items, `${prefix}[]`, visit));
  if (typeof s.additionalProperties === 'object')
    out.push(...keyPaths(s.additionalProperties, `${prefix}.NAME`, visit));
  for (const branch of s.anyOf ?? []) out.push(...keyPaths(branch, prefix, visit));
  return out;
}

test('both schemas are valid draft-07 schemas that ajv compiles in strict mode', () => {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  expect(ajv.validateSchema(plan)).toBe(true);
  ajv.addSchema(plan, 'workers.schema.json');
  expect(() => ajv.compile(config)).not.toThrow();
});

test('every key of both schemas has a description', () => {
  const missing: string[] = [];
  for (const [name, schema] of [
    ['plan', plan],
    ['config', config],
  ] as const)
    keyPaths(schema, '', (path, s) => {
      if (!s.description) missing.push(`${name}: ${path}`);
    });
  expect(missing).toEqual([]);
});

test('the feature and duration patterns are the code constants', () => {
  expect(plan.definitions!.feature!.pattern).toBe(FEATURE_PATTERN.source);
  expect((plan.definitions!.duration as JsonSchema).pattern).toBe(DURATION_PATTERN.source);
});

test('the config schema shares the plan schema definitions', () => {
  for (const key of ['concurrency', 'defaults', 'worktrees', 'agents'])
    expect(config.properties![key]!.$ref).toBe(`workers.schema.json#/definitions/${key}`);
});

test('src/plan/schema-types.ts is what the generator makes from the schemas (regenerate if not)', async () => {
  const committed = await readFile(SCHEMA_TYPES_FILE, 'utf8');
  expect(committed).toBe(await renderSchemaTypes());
});

test('src/plan/schema-validators.generated.ts is ajv compiling the schemas now (regenerate if not)', async () => {
  const committed = await readFile(VALIDATORS_FILE, 'utf8');
  expect(committed).toBe(await renderValidators());
});

test('docs/plan.md names every plan key and docs/config.md every config key', async () => {
  const planDoc = await readFile(new URL('docs/plan.md', root), 'utf8');
  const configDoc = await readFile(new URL('docs/config.md', root), 'utf8');
  expect(keyPaths(plan).filter((p) => !planDoc.includes(`\`${p}\``))).toEqual([]);
  expect(keyPaths(config).filter((p) => !configDoc.includes(`\`${p}\``))).toEqual([]);
});

test('the valid fixtures together use every plan key', async () => {
  const used = new Set<string>();
  const walk = (value: unknown, schema: JsonSchema, prefix: string): void => {
    const s = deref(schema);
    if (Array.isArray(value)) {
      const items = s.items ?? s.anyOf?.map(deref).find((b) => b.type === 'array')?.items;
      if (items) for (const v of value) walk(v, items, `${prefix}[]`);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const sub = s.properties?.[k];
        if (sub) {
          const path = prefix ? `${prefix}.${k}` : k;
          used.add(path);
          walk(v, sub, path);
        } else if (typeof s.additionalProperties === 'object')
          walk(v, s.additionalProperties, `${prefix}.NAME`);
      }
    }
  };
  for (const f of ['full.yaml', 'minimal.yaml', 'anchors.yaml'])
    walk(parse(await readFile(new URL(`test/fixtures/valid/${f}`, root), 'utf8'), { merge: true }), plan, '');
  expect(keyPaths(plan).filter((p) => !used.has(p))).toEqual([]);
});
