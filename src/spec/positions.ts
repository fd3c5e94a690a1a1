// Maps a field path in a spec to its line and column in the YAML source, and prints paths.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type Segment = string | number;

/** Where an issue points: the field's value, its key, or the mapping it is missing from. */
export type Anchor = 'value' | 'key' | 'parent';

/** A problem before it has a position: the field path and what is wrong there. */
export interface Issue {
  path: Segment[];
  message: string;
  at: Anchor;
}

export interface Located {
  line: number;
  column: number;
}

/** `smoke[1].expect`, `vars["1x"]`; the empty path prints as "". */
export function formatPath(path: Segment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Turns an ajv instancePath ("/smoke/1/expect") into segments; digits become indexes. */
export function pointerToPath(pointer: string): Segment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

interface Found {
  node: Node | null;
  key: Node | null;
}

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : typeof key === 'string' ? key : undefined;
}

// Walks as far down the path as the document goes; a missing tail stays at the last node found.
function walk(doc: Document, path: Segment[]): { found: Found; depth: number } {
  let found: Found = { node: doc.contents as Node | null, key: null };
  let depth = 0;
  for (const segment of path) {
    const node = resolve(doc, found.node);
    let next: Found | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (pair) next = { node: (pair.value as Node | null) ?? null, key: pair.key as Node };
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item !== undefined) next = { node: item as Node | null, key: null };
    }
    if (!next) break;
    found = next;
    depth += 1;
  }
  return { found, depth };
}

function offsetOf(node: Node | null): number | undefined {
  return node?.range?.[0];
}

/** Finds the line and column an issue should point at; the document start when unknown. */
export function locate(doc: Document, counter: LineCounter, issue: Issue): Located {
  const target = issue.at === 'parent' ? issue.path.slice(0, -1) : issue.path;
  const { found, depth } = walk(doc, target);
  let offset: number | undefined;
  if (depth === target.length && issue.at === 'key') offset = offsetOf(found.key);
  // A key with no value (`base:`) has no value node; point at the key instead.
  offset ??= offsetOf(found.node) ?? offsetOf(found.key) ?? 0;
  const pos = counter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** The YAML source text of the value at a path, for quoting in messages ("0644", "no"). */
export function sourceText(doc: Document, text: string, path: Segment[]): string | undefined {
  const { found, depth } = walk(doc, path);
  if (depth !== path.length || !isScalar(found.node) || !found.node.range) return undefined;
  const [start, end] = found.node.range;
  return text.slice(start, end);
}
