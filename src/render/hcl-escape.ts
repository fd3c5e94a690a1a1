// Turns values into HCL2 literals: strings, numbers, booleans, one-item-per-line lists, maps.
import { RenderError } from '../errors.js';

// Text Packer itself must expand (`{{ .SourceAMI }}`); hcl() quotes it but lets its `{{` through.
export class PackerToken {
  constructor(readonly text: string) {}
}

export type HclScalar = string | number | boolean | PackerToken;
export type HclValue = HclScalar | HclValue[];

function escapeChar(ch: string): string {
  switch (ch) {
    case '\\':
      return '\\\\';
    case '"':
      return '\\"';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default: {
      const code = ch.codePointAt(0) ?? 0;
      if (code < 0x20 || code === 0x7f) return `\\u${code.toString(16).padStart(4, '0')}`;
      return ch;
    }
  }
}

// HCL reads `${` and `%{` as template sequences; doubling the sigil makes them literal text.
function quote(text: string): string {
  const escaped = Array.from(text, escapeChar).join('');
  // A replacer function, because "$$" in a replacement string would collapse to "$".
  const doubled = escaped.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
  return `"${doubled}"`;
}

// Packer runs Go templates over nearly every string it reads, so a user value holding `{{`
// would be executed rather than kept; it is refused instead of being silently changed.
function checkNoGoTemplate(text: string): void {
  if (text.includes('{{')) {
    const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    throw new RenderError(
      `value ${JSON.stringify(shown)} contains "{{", which Packer would run as its own template`,
      { hint: 'remove "{{" from the spec value, or from the path (AMIBAKE_BUILD_DIR, images dir)' },
    );
  }
}

export function hclString(value: string): string {
  checkNoGoTemplate(value);
  // HCL can write \u0000, but Packer passes values on as C strings: a step variable with a NUL
  // was seen to hang Packer's SSH session for five minutes.
  if (value.includes('\0')) throw new RenderError('a value for Packer contains a NUL byte');
  return quote(value);
}

export function hclScalar(value: HclScalar): string {
  if (value instanceof PackerToken) return quote(value.text);
  if (typeof value === 'string') return hclString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new RenderError(`cannot write ${String(value)} as an HCL value`);
}

// Nested lists stay on one line (qemuargs pairs); the outer list puts one item per line.
function hclInline(value: HclValue): string {
  return Array.isArray(value) ? `[${value.map(hclInline).join(', ')}]` : hclScalar(value);
}

export function hclList(items: readonly HclValue[]): string {
  if (items.length === 0) return '[]';
  return `[\n${items.map((item) => `${hclInline(item)},`).join('\n')}\n]`;
}

// Keys are sorted so the same map always renders to the same bytes.
export function hclMap(map: Readonly<Record<string, HclScalar>>): string {
  const keys = Object.keys(map).sort();
  if (keys.length === 0) return '{}';
  return `{\n${keys.map((key) => `${hclString(key)} = ${hclScalar(map[key])}`).join('\n')}\n}`;
}
