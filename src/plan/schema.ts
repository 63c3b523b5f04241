// The JSON Schemas of schemas/, compiled ahead of time by ajv (schema-validators.generated.ts), applied
// to plans and configs.
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import * as generated from './schema-validators.generated.js';
import { humanizeAjvErrors, type JsonSchema } from './ajv-messages.js';
import type { RawIssue } from './issues.js';

export type SchemaKind = 'plan' | 'config';

export const SCHEMA_FILES: Record<SchemaKind, string> = {
  plan: 'workers.schema.json',
  config: 'config.schema.json',
};

/** schemas/ beside src/ or dist/: both sit two levels below the package root. */
const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);

export function readSchema(kind: SchemaKind): JsonSchema {
  return JSON.parse(readFileSync(new URL(SCHEMA_FILES[kind], SCHEMA_DIR), 'utf8')) as JsonSchema;
}

/** The options the validators are generated with (src/plan/gen-types.ts). */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true } as const;

const validators = generated as unknown as Record<SchemaKind, ValidateFunction>;

/** The plan schema: its definitions describe values in messages for both kinds. */
let planSchema: JsonSchema | undefined;

/** Checks a value against the plan or config schema; every problem, in words that name the fix. */
export function validateShape(kind: SchemaKind, value: unknown): RawIssue[] {
  const validate = validators[kind];
  if (validate(value)) return [];
  planSchema ??= readSchema('plan');
  return humanizeAjvErrors(validate.errors ?? [], planSchema, value);
}
