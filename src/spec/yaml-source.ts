// Parses spec YAML strictly (1.2 core schema, duplicate keys are errors) keeping positions,
// and turns YAML's own errors into issues with a line and column.
import {
  isMap, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type YAMLError,
} from 'yaml';
import { formatPath, type Located, type Segment } from './positions.js';

export interface YamlSource {
  text: string;
  doc: Document;
  counter: LineCounter;
}

/** A YAML-level problem: already positioned, with the path when it can be found. */
export interface YamlIssue extends Located {
  path: string;
  message: string;
}

export function parseYaml(text: string): YamlSource {
  const counter = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.2',
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: false,
    lineCounter: counter,
  });
  return { text, doc, counter };
}

// The path of the mapping key that starts at `offset` (where YAML reports a duplicate key).
function keyPathAt(node: unknown, offset: number, path: Segment[] = []): Segment[] | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      const name = String((key as { value?: unknown } | null)?.value ?? key);
      if (key?.range?.[0] === offset) return [...path, name];
      const inner = keyPathAt(pair.value, offset, [...path, name]);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const inner = keyPathAt(item, offset, [...path, i]);
      if (inner) return inner;
    }
  }
  return undefined;
}

function describe(source: YamlSource, error: YAMLError): { path: string; message: string } {
  const [start, end] = error.pos;
  if (error.code === 'DUPLICATE_KEY') {
    const path = keyPathAt(source.doc.contents, start);
    const key = path ? String(path[path.length - 1]) : source.text.slice(start, end);
    const message = `duplicate key "${key}"; each key may appear once, remove or merge the copies`;
    return { path: path ? formatPath(path) : '', message };
  }
  if (error.code === 'TAG_RESOLVE_FAILED') {
    return { path: '', message: `${error.message}; specs use plain YAML, remove the tag` };
  }
  if (error.code === 'MULTIPLE_DOCS') {
    const message = 'a spec is one YAML document; remove this "---" and what follows it';
    return { path: '', message };
  }
  if (error.code === 'TAB_AS_INDENT') {
    return { path: '', message: 'YAML syntax error: a tab indents this line; indent with spaces' };
  }
  return { path: '', message: `YAML syntax error: ${error.message.split('\n')[0]}` };
}

// Specs map names to values; a list or mapping used as a key has no JSON equivalent.
function collectionKeys(source: YamlSource): YamlIssue[] {
  const issues: YamlIssue[] = [];
  visit(source.doc, {
    Pair(_key, pair) {
      if (!isMap(pair.key) && !isSeq(pair.key)) return;
      const pos = source.counter.linePos((pair.key as Node).range?.[0] ?? 0);
      const message = 'a key must be a plain name, not a list or mapping';
      issues.push({ line: pos.line, column: pos.col, path: '', message });
    },
  });
  return issues;
}

// After the first syntax error on a line, the parser's further errors there only echo it.
function firstPerLine(issues: YamlIssue[]): YamlIssue[] {
  const lines = new Set<number>();
  return issues.filter((issue) => !lines.has(issue.line) && lines.add(issue.line));
}

/** YAML's errors and warnings as positioned issues (a spec with any of them is rejected). */
export function yamlIssues(source: YamlSource): YamlIssue[] {
  const reported = [...source.doc.errors, ...source.doc.warnings].map((error) => {
    const pos = source.counter.linePos(error.pos[0]);
    return { line: pos.line, column: pos.col, ...describe(source, error) };
  });
  return reported.length > 0 ? firstPerLine(reported) : collectionKeys(source);
}

// The first alias whose anchor is missing (YAML reports it only when converting to data).
function danglingAliasOffset(doc: Document): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/** The document as plain data; an alias problem (unknown anchor, alias bomb) is an issue. */
export function toData(source: YamlSource): { data?: unknown; issue?: YamlIssue } {
  try {
    return { data: source.doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const pos = source.counter.linePos(danglingAliasOffset(source.doc) ?? 0);
    const message = `YAML error: ${reason}`;
    return { issue: { line: pos.line, column: pos.col, path: '', message } };
  }
}
