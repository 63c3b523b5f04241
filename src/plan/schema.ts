// The JSON Schemas of schemas/ compiled with ajv (once, on first use) and applied to plans and configs.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
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

interface Compiled {
  validators: Record<SchemaKind, ValidateFunction>;
  /** The plan schema: its definitions describe values in messages for both kinds. */
  planSchema: JsonSchema;
}

let compiled: Compiled | undefined;

function compile(): Compiled {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  const planSchema = readSchema('plan');
  ajv.addSchema(planSchema, SCHEMA_FILES.plan);
  ajv.addSchema(readSchema('config'), SCHEMA_FILES.config);
  const get = (kind: SchemaKind) => ajv.getSchema(SCHEMA_FILES[kind])!;
  return { validators: { plan: get('plan'), config: get('config') }, planSchema };
}

/** Checks a value against the plan or config schema; every problem, in words that name the fix. */
export function validateShape(kind: SchemaKind, value: unknown): RawIssue[] {
  compiled ??= compile();
  const validate = compiled.validators[kind];
  if (validate(value)) return [];
  return humanizeAjvErrors((validate.errors ?? []) as ErrorObject[], compiled.planSchema, value);
}
