// Reads a template's syntax tree once: refuses any `{{value}}` that skips the escaping helpers
// of its output language, and records which expressions each helper call receives, so a
// missing value can be reported by its name.
import Handlebars from 'handlebars';
import { RenderError } from '../errors.js';

export type TemplateKind = 'hcl' | 'sh';

/** The only helpers allowed to print a value, per output language. */
export const VALUE_HELPERS: Record<TemplateKind, readonly string[]> = {
  hcl: ['hcl', 'hclList', 'hclMap'],
  sh: ['sh', 'shList'],
};
const BLOCK_HELPERS = ['if', 'unless', 'each', 'with'];

type Node = hbs.AST.Node;
type CallNode = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;

/** "line:column" of a helper call -> the source text of each of its parameters. */
export type ParamIndex = Map<string, string[]>;

export function locKey(loc: { start: { line: number; column: number } }): string {
  return `${loc.start.line}:${loc.start.column}`;
}

function describeParam(node: hbs.AST.Expression): string {
  const n = node as { original?: unknown; type: string };
  return typeof n.original === 'string' ? n.original : n.type;
}

function calleeName(node: CallNode): string {
  const path = node.path as { original?: unknown };
  return typeof path.original === 'string' ? path.original : String(path.original);
}

export function lintTemplate(source: string, file: string, kind: TemplateKind): ParamIndex {
  const index: ParamIndex = new Map();
  const fail = (node: Node, what: string): never => {
    throw new RenderError(`${file}:${node.loc.start.line}: ${what}`);
  };
  const visitCall = (node: CallNode) => {
    index.set(locKey(node.loc), node.params.map(describeParam));
    node.params.forEach(visit);
  };
  const visit = (node: Node | undefined): void => {
    if (!node) return;
    switch (node.type) {
      case 'Program':
        (node as hbs.AST.Program).body.forEach(visit);
        return;
      case 'MustacheStatement': {
        const m = node as hbs.AST.MustacheStatement;
        const name = calleeName(m);
        if (!VALUE_HELPERS[kind].includes(name) || m.params.length === 0) {
          fail(node, `{{${name}}} prints a value without ${VALUE_HELPERS[kind].join('/')}`);
        }
        visitCall(m);
        return;
      }
      case 'BlockStatement': {
        const b = node as hbs.AST.BlockStatement;
        const name = calleeName(b);
        if (!BLOCK_HELPERS.includes(name)) fail(node, `unknown block {{#${name}}}`);
        visitCall(b);
        visit(b.program);
        visit(b.inverse);
        return;
      }
      case 'SubExpression':
        fail(node, 'sub-expressions are not used in amibake templates');
        return;
      case 'PartialStatement':
      case 'ContentStatement':
      case 'CommentStatement':
      case 'PathExpression':
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return;
      default:
        fail(node, `unsupported template syntax ${node.type}`);
    }
  };
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new RenderError(`${file}: template does not parse: ${message}`);
  }
  visit(ast);
  return index;
}
