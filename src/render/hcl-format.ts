// Lays out rendered HCL the way `packer fmt` does: two-space indents by bracket depth, and
// the `=` of consecutive one-line attributes aligned. Handles the HCL subset our templates
// write (no heredocs, no comments after code, at most one bracket opened or closed per line).
import { RenderError } from '../errors.js';

interface Scan {
  /** Opening minus closing brackets outside string literals. */
  net: number;
  /** Index of the first `=` outside strings whose right side closes what it opens, or -1. */
  assign: number;
  /** The line begins with a closing bracket. */
  closes: boolean;
}

function bracketChange(ch: string): number {
  if (ch === '{' || ch === '[' || ch === '(') return 1;
  if (ch === '}' || ch === ']' || ch === ')') return -1;
  return 0;
}

function scanLine(line: string): Scan {
  let net = 0;
  let inString = false;
  let firstEquals = -1;
  let netAtEquals = 0;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '#' || (ch === '/' && line[i + 1] === '/')) break;
    else if (ch === '=' && firstEquals === -1 && i > 0) {
      firstEquals = i;
      netAtEquals = net;
    } else net += bracketChange(ch);
  }
  // Like hclwrite: an `=` whose value opens a multi-line bracket is not aligned.
  const assign = firstEquals !== -1 && net - netAtEquals === 0 ? firstEquals : -1;
  return { net, assign, closes: /^[}\])]/.test(line) };
}

function runeLength(text: string): number {
  return Array.from(text).length;
}

interface Line {
  text: string;
  indent: number;
  scan: Scan;
}

function indentLines(raw: string[]): Line[] {
  let depth = 0;
  return raw.map((text) => {
    const scan = scanLine(text);
    if (Math.abs(scan.net) > 1) {
      throw new RenderError(`rendered HCL opens or closes two brackets on one line: ${text}`);
    }
    if (scan.net < 0 || (scan.closes && scan.net === 0)) depth -= 1;
    if (depth < 0) throw new RenderError(`rendered HCL closes a bracket it never opened: ${text}`);
    const indent = depth;
    if (scan.net > 0 || (scan.closes && scan.net === 0)) depth += 1;
    return { text, indent, scan };
  });
}

// Pads the keys of a run of consecutive attribute lines to the longest one.
function alignRun(run: Line[]): string[] {
  const leads = run.map((l) => l.text.slice(0, l.scan.assign).trimEnd());
  const width = Math.max(...leads.map(runeLength));
  return run.map((l, i) => {
    const value = l.text.slice(l.scan.assign + 1).trim();
    const pad = ' '.repeat(width - runeLength(leads[i]));
    return `${'  '.repeat(l.indent)}${leads[i]}${pad} = ${value}`;
  });
}

function dropExtraBlankLines(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const previous = out[out.length - 1];
    if (line === '' && (previous === undefined || previous === '' || /[{[]$/.test(previous))) {
      continue;
    }
    if (previous === '' && /^[}\]]/.test(line)) out.pop();
    out.push(line);
  }
  while (out[out.length - 1] === '') out.pop();
  return out;
}

export function formatHcl(text: string): string {
  const raw = dropExtraBlankLines(text.split(/\r?\n/).map((l) => l.trim()));
  const lines = indentLines(raw);
  const out: string[] = [];
  let run: Line[] = [];
  const flush = () => {
    if (run.length > 0) out.push(...alignRun(run));
    run = [];
  };
  for (const line of lines) {
    if (line.scan.assign !== -1) {
      run.push(line);
      continue;
    }
    flush();
    out.push(line.text === '' ? '' : `${'  '.repeat(line.indent)}${line.text}`);
  }
  flush();
  return `${out.join('\n')}\n`;
}
