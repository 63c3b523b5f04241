// ajv's errors turned into messages that say what to write instead, each at the offending path.
import type { ErrorObject } from 'ajv';
import { durationProblem } from './duration.js';
import type { DocPath, RawIssue } from './issues.js';
import { closest } from './suggest.js';

/** The parts of JSON Schema that schemas/*.json use. */
export interface JsonSchema {
  $ref?: string;
  title?: string;
  description?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  required?: string[];
  anyOf?: JsonSchema[];
  definitions?: Record<string, JsonSchema>;
}

const REQUIRED_HINTS: Record<string, string> = {
  version: ' (add "version: 1")',
  workers: ' (a list of workers, each with a feature and a task)',
  feature: ' (the worker\'s name, e.g. "feature: login")',
  task: ' (what the agent should do)',
  command: ' (the program and its arguments, e.g. [my-agent, "{prompt_file}"])',
};

const PATTERN_HINTS: Record<string, string> = {
  socket: 'must be a tmux socket name, without "/" or spaces',
  prefix: 'may only contain letters, digits, "-" and "_" (tmux session names)',
  remote:
    'must be a git remote name or URL: no spaces, and not starting with "-" (git would read it as an option)',
  model:
    'must be a model name as its agent knows it (e.g. sonnet): no spaces, and not starting with "-" (the agent would read it as an option)',
};

/** Turns ajv's errors (allErrors + verbose) into issues; `root` resolves `$ref`s for descriptions. */
export function humanizeAjvErrors(
  errors: readonly ErrorObject[],
  root: JsonSchema,
  data: unknown,
): RawIssue[] {
  const deref = (s: JsonSchema | undefined): JsonSchema => {
    const name = s?.$ref?.replace(/^.*#\/definitions\//, '');
    return (name !== undefined ? root.definitions?.[name] : s) ?? {};
  };
  // A failed propertyNames also reports its inner pattern, without the name: keep only the outer one.
  let list = errors.filter((e) => !e.schemaPath.includes('/propertyNames/'));
  // A failed anyOf: when the value's type fits one branch, that branch's errors say most; else one summary.
  for (const e of list.filter((x) => x.keyword === 'anyOf')) {
    const inside = list.filter((x) => x !== e && x.schemaPath.startsWith(`${e.schemaPath}/`));
    const branches = (e.parentSchema as JsonSchema | undefined)?.anyOf ?? [];
    const fits = branches.findIndex((b) => typesOf(deref(b)).some((t) => jsonTypes(e.data).includes(t)));
    const keep = fits < 0 ? [e] : inside.filter((x) => x.schemaPath.startsWith(`${e.schemaPath}/${fits}/`));
    const drop = new Set([e, ...inside].filter((x) => !keep.includes(x)));
    list = list.filter((x) => !drop.has(x));
  }
  return list.map((e) => toIssue(e, pathOf(e.instancePath, data), deref));
}

function toIssue(e: ErrorObject, path: DocPath, deref: (s: JsonSchema | undefined) => JsonSchema): RawIssue {
  const schema = (e.parentSchema ?? {}) as JsonSchema;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const valid = Object.keys(schema.properties ?? {}).filter((k) => k !== '$schema');
      const near = closest(key, valid);
      const hint = near !== undefined ? `did you mean "${near}"?` : `valid keys: ${valid.join(', ')}`;
      return { path: [...path, key], key: true, message: `unknown key "${key}" (${hint})` };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return { path, message: `missing required key "${key}"${REQUIRED_HINTS[key] ?? ''}` };
    }
    case 'propertyNames': {
      const name = String(params.propertyName);
      const message =
        schema.title === 'EnvVars'
          ? `"${name}" is not an environment variable name (use letters, digits and "_", not starting with a digit)`
          : `"${name}" is not a valid name here`;
      return { path: [...path, name], key: true, message };
    }
    default:
      return { path, message: valueMessage(e, schema, path, deref) };
  }
}

function valueMessage(
  e: ErrorObject,
  schema: JsonSchema,
  path: DocPath,
  deref: (s: JsonSchema | undefined) => JsonSchema,
): string {
  const value: unknown = e.data;
  if (schema.title === 'Duration') return durationProblem(value) ?? `must be ${describe(schema, deref)}`;
  if (schema.title === 'Feature' && typeof value === 'string')
    return `"${value}" is not a valid feature name (letters, digits, "-" and "_", starting with a letter or digit, at most 63 characters)`;
  switch (e.keyword) {
    case 'minLength':
      return 'must not be empty';
    case 'minItems':
      if (deref(schema.items).title === 'Worker') return 'must list at least one worker';
      return 'must not be an empty list';
    case 'pattern':
      return (
        PATTERN_HINTS[String(path[path.length - 1])] ??
        (schema.title === 'Model' ? PATTERN_HINTS.model : undefined) ??
        `${show(value)} does not match ${schema.pattern}`
      );
  }
  const expected = describe(schema, deref);
  const quote =
    expected.includes('a string') && (typeof value === 'number' || typeof value === 'boolean')
      ? ` (put it in quotes: "${String(value)}")`
      : '';
  return `must be ${expected}, got ${show(value)}${quote}`;
}

/** `a whole number >= 1`, `a list of strings`, … */
export function describe(s: JsonSchema, deref: (s: JsonSchema | undefined) => JsonSchema): string {
  const schema = s.$ref !== undefined ? deref(s) : s;
  switch (schema.title) {
    case 'Duration':
      return 'a duration (90s, 10m, 1h30m, or a number of seconds)';
    case 'Commands':
      return 'a command or a list of commands';
    case 'Worker':
      return 'a worker (a mapping with feature and task)';
    case 'AgentCommand':
      return 'an agent (a mapping with command)';
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.enum) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (schema.anyOf) return schema.anyOf.map((b) => describe(b, deref)).join(' or ');
  return typesOf(schema)
    .map((t) => describeType(t, schema, deref))
    .join(' or ');
}

function describeType(type: string, s: JsonSchema, deref: (s: JsonSchema | undefined) => JsonSchema): string {
  switch (type) {
    case 'integer':
      return `a whole number${s.minimum !== undefined ? ` >= ${s.minimum}` : ''}`;
    case 'number':
      return `a number${s.exclusiveMinimum !== undefined ? ` > ${s.exclusiveMinimum}` : ''}`;
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'array': {
      const items = deref(s.items);
      if (items.title === 'Worker') return 'a list of workers';
      return typesOf(items).join() === 'string' ? 'a list of strings' : 'a list';
    }
    case 'object': {
      const extra = s.additionalProperties;
      if (typeof extra === 'object' && deref(extra).title === 'AgentCommand')
        return 'a mapping of agent names to agents';
      if (typeof extra === 'object' && typesOf(extra).join() === 'string')
        return 'a mapping of names to strings';
      return 'a mapping';
    }
    default:
      return type;
  }
}

function typesOf(s: JsonSchema): string[] {
  return Array.isArray(s.type) ? s.type : s.type !== undefined ? [s.type] : [];
}

/** The JSON Schema types a value has (a whole number is both integer and number). */
function jsonTypes(v: unknown): string[] {
  if (v === null) return ['null'];
  if (Array.isArray(v)) return ['array'];
  if (typeof v === 'number') return Number.isInteger(v) ? ['integer', 'number'] : ['number'];
  return [typeof v];
}

/** A value as a message shows it: `"abc"`, `3`, `a list`, `nothing`. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  // What is left is a number or a boolean: written as YAML would.
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v;
}

/** `/workers/2/timeout` -> ['workers', 2, 'timeout'], with indexes as numbers only inside lists. */
function pathOf(pointer: string, data: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      out.push(Number(seg));
      node = node[Number(seg)] as unknown;
    } else {
      out.push(seg);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}
