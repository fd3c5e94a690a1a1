// Turns ajv's errors into issues that say what was expected and how to fix it.
import type { ErrorObject } from 'ajv';
import { pointerToPath, type Issue, type Segment } from './positions.js';
import { SMOKE_TYPES } from './schema.js';

/** Gives the YAML source of the scalar at a path, if there is one (to quote what was found). */
export type SourceOf = (path: Segment[]) => string | undefined;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  object: 'a mapping',
  array: 'a list',
  boolean: 'true or false',
};

function shorten(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 40 || line !== text ? `${line.slice(0, 37)}...` : line;
}

function describeFound(data: unknown, source: string | undefined): string {
  if (data === null || data === undefined) return 'nothing';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a mapping';
  return shorten(source ?? JSON.stringify(data));
}

function typeMessage(expected: string, data: unknown, source: string | undefined): string {
  const scalar = typeof data === 'number' || typeof data === 'boolean';
  if (expected === 'string' && scalar && source !== undefined) {
    return `expected a string such as "${source}"; quote it`;
  }
  return `expected ${TYPE_NAMES[expected] ?? expected} (found: ${describeFound(data, source)})`;
}

function description(error: ErrorObject): string | undefined {
  const schema = error.parentSchema as { description?: unknown } | undefined;
  return typeof schema?.description === 'string' ? schema.description : undefined;
}

function allowedKeys(error: ErrorObject): string {
  const properties = (error.parentSchema as { properties?: object } | undefined)?.properties;
  return properties ? `; expected one of: ${Object.keys(properties).join(', ')}` : '';
}

function discriminatorIssue(error: ErrorObject, path: Segment[], found?: string): Issue {
  const { tag, tagValue } = error.params as { tag: string; tagValue?: unknown };
  const expected = `expected one of ${SMOKE_TYPES.join(', ')}`;
  if (tagValue === undefined) {
    const message = `missing required key "${tag}"; ${expected}`;
    return { path: [...path, tag], at: 'parent', message };
  }
  return { path: [...path, tag], at: 'value', message: `${expected} (found: ${found})` };
}

function oneOfMessage(error: ErrorObject): string {
  const passing = (error.params as { passingSchemas: unknown }).passingSchemas;
  const rule = description(error) ?? 'exactly one of the alternatives';
  const count = Array.isArray(passing) ? passing.length : 0;
  return `expected ${rule}, found ${count === 0 ? 'neither' : count === 2 ? 'both' : 'several'}`;
}

function limitMessage(error: ErrorObject, found: string): string {
  const limit = (error.params as { limit: number }).limit;
  switch (error.keyword) {
    case 'minimum': return `expected at least ${limit} (found: ${found})`;
    case 'maximum': return `expected at most ${limit} (found: ${found})`;
    case 'minLength': return 'must not be empty';
    case 'maxLength': return `must be at most ${limit} characters long`;
    case 'minItems': return `expected a list of at least ${limit} item${limit === 1 ? '' : 's'}`;
    default: return `expected ${description(error) ?? error.message ?? 'something else'}`;
  }
}

// A key that breaks `propertyNames` (a vars name): point at the key and quote it.
function keyIssue(error: ErrorObject, key: string): Issue {
  const path = [...pointerToPath(error.instancePath), key];
  const message = error.keyword === 'pattern'
    ? `expected ${description(error) ?? 'a different key'} (found: ${key})`
    : limitMessage(error, key);
  return { path, at: 'key', message };
}

function toIssue(error: ErrorObject, sourceOf: SourceOf): Issue {
  if (error.propertyName !== undefined) return keyIssue(error, error.propertyName);
  const path = pointerToPath(error.instancePath);
  const found = describeFound(error.data, sourceOf(path));
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const message = key === '<<'
        ? 'merge keys ("<<") are not part of YAML 1.2; write the keys out (an anchor and ' +
          'alias may still repeat a whole value)'
        : `unknown key "${key}"${allowedKeys(error)}`;
      return { path: [...path, key], at: 'key', message };
    }
    case 'required': {
      const key = String(params.missingProperty);
      return { path: [...path, key], at: 'parent', message: `missing required key "${key}"` };
    }
    case 'type': {
      const message = typeMessage(String(params.type), error.data, sourceOf(path));
      return { path, at: 'value', message };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).join(', ');
      return { path, at: 'value', message: `expected one of ${allowed} (found: ${found})` };
    }
    case 'pattern': {
      const expected = description(error) ?? `text matching ${params.pattern}`;
      return { path, at: 'value', message: `expected ${expected} (found: ${found})` };
    }
    case 'discriminator':
      return discriminatorIssue(error, path, sourceOf([...path, 'type']));
    case 'oneOf':
      return { path, at: 'value', message: oneOfMessage(error) };
    default:
      return { path, at: 'value', message: limitMessage(error, found) };
  }
}

// Errors inside a failed oneOf's branches only restate the oneOf error (the discriminated
// smoke union reports no oneOf error, so its branch errors stay); after a wrong type, other
// errors on the same value (enum, minimum) only repeat it; propertyNames wraps its own cause.
function meaningful(errors: ErrorObject[]): ErrorObject[] {
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  const mistyped = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return errors.filter(
    (e) =>
      e.keyword !== 'propertyNames' &&
      !oneOfPaths.some((p) => e.schemaPath.startsWith(p)) &&
      (e.keyword === 'type' || e.propertyName !== undefined || !mistyped.has(e.instancePath)),
  );
}

/** One issue per meaningful ajv error, in ajv's order. */
export function schemaIssues(errors: ErrorObject[], sourceOf: SourceOf): Issue[] {
  return meaningful(errors).map((e) => toIssue(e, sourceOf));
}
