// Finds values in a spec that look like secrets (the patterns redaction masks), as warnings:
// a spec is committed to git, rendered into build files and may be baked into the image.
import { secretKind } from '../redact.js';
import type { Issue, Segment } from './positions.js';

function visit(value: unknown, path: Segment[], out: Issue[]): void {
  if (typeof value === 'string') {
    const kind = secretKind(value);
    if (kind) {
      const message = `looks like ${kind}; keep secrets out of specs: they are committed, ` +
        'rendered into build files and baked into the image';
      out.push({ path, at: 'value', message });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => visit(item, [...path, i], out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) visit(item, [...path, key], out);
  }
}

/** One warning per string value that looks like a secret; the value itself is never quoted. */
export function secretWarnings(data: unknown): Issue[] {
  const out: Issue[] = [];
  visit(data, [], out);
  return out;
}
