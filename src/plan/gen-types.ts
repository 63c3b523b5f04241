// Generates src/plan/schema-types.ts from schemas/*.schema.json, so the raw plan and config types cannot drift
// from the schemas. Run: `tsc -p tsconfig.build.json && node dist/plan/gen-types.js`; a test fails when stale.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JsonSchema } from './ajv-messages.js';
import { readSchema } from './schema.js';

/** The package root: src/plan/ and dist/plan/ both sit two levels below it. */
const ROOT = new URL('../../', import.meta.url);
export const SCHEMA_TYPES_FILE = fileURLToPath(new URL('src/plan/schema-types.ts', ROOT));

const BANNER = `// The raw shapes of workers.yaml and of wo's configuration, generated from schemas/workers.schema.json and
// schemas/config.schema.json by src/plan/gen-types.ts (json-schema-to-typescript). Do not edit: regenerate.`;

/**
 * One schema for the generator: the plan schema, with the config's root added as a definition and its
 * cross-file `$ref`s made local, so that shared definitions are declared once.
 */
function mergedSchema(): JsonSchema {
  const plan = readSchema('plan');
  const { $schema: _meta, ...config } = readSchema('config') as JsonSchema & { $schema?: string };
  return localize({ ...plan, definitions: { ...plan.definitions, config } }) as JsonSchema;
}

/** Makes `workers.schema.json#/…` refs local and drops descriptions beside `$ref` (they would fork types). */
function localize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(localize);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node))
    out[k] = k === '$ref' ? String(v).replace(/^[^#]+#/, '#') : localize(v);
  if ('$ref' in out) delete out.description;
  return out;
}

/** The text schema-types.ts should have, formatted with the project's Prettier settings. */
export async function renderSchemaTypes(): Promise<string> {
  const { compile } = await import('json-schema-to-typescript');
  const prettier = await import('prettier');
  const ts = await compile(mergedSchema() as Parameters<typeof compile>[0], 'PlanFile', {
    bannerComment: BANNER,
    format: false,
    additionalProperties: false,
    unreachableDefinitions: true,
  });
  const options = (await prettier.resolveConfig(SCHEMA_TYPES_FILE)) ?? {};
  return prettier.format(ts, { ...options, parser: 'typescript' });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(SCHEMA_TYPES_FILE, await renderSchemaTypes());
  console.log(`wrote ${SCHEMA_TYPES_FILE}`);
}
