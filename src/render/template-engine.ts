// Loads templates/*.hbs, compiles them strictly (noEscape, strict, linted), renders views, and
// remembers which template files were used so the result can carry their hash.
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RenderError } from '../errors.js';
import { repoRoot, templatesDir } from '../paths.js';
import { sha256 } from '../util/fs.js';
import { HelperFailure, MissingValue, registerHelpers } from './template-helpers.js';
import { lintTemplate, locKey, type ParamIndex, type TemplateKind } from './template-lint.js';

type Compiled = (view: unknown, options?: unknown) => string;

interface Loaded {
  file: string;
  shown: string;
  source: string;
  params: ParamIndex;
  run: Compiled;
}

// Marks errors already named after their template, so an enclosing template keeps them as is.
const named = new WeakSet<Error>();

function kindOf(name: string): TemplateKind {
  if (name.endsWith('.hcl.hbs')) return 'hcl';
  if (name.endsWith('.sh.hbs')) return 'sh';
  throw new RenderError(`template ${name} must end in .hcl.hbs or .sh.hbs`);
}

function nameError(t: Loaded, error: unknown): RenderError {
  if (error instanceof RenderError && named.has(error)) return error;
  let result: RenderError;
  if (error instanceof MissingValue) {
    const line = error.loc?.start.line ?? 0;
    const params = error.loc ? t.params.get(locKey(error.loc)) : undefined;
    const variable = params?.[error.position] ?? `argument ${error.position + 1}`;
    result = new RenderError(`${t.shown}:${line}: variable "${variable}" is not defined`);
  } else if (error instanceof HelperFailure) {
    const line = error.loc?.start.line ?? 0;
    result = new RenderError(`${t.shown}:${line}: ${error.error.message}`, {
      hint: error.error.hint,
    });
  } else {
    // Handlebars' strict lookups throw `"name" not defined in [object Object] - line:column`.
    const message = error instanceof Error ? error.message : String(error);
    const strictMiss = /^"(.*)" not defined in .* - (\d+):\d+/.exec(message);
    result = strictMiss
      ? new RenderError(`${t.shown}:${strictMiss[2]}: variable "${strictMiss[1]}" is not defined`)
      : new RenderError(`${t.shown}: ${message.split('\n')[0]}`, { cause: error });
  }
  named.add(result);
  return result;
}

export class TemplateEngine {
  private readonly hb = Handlebars.create();
  private readonly loaded = new Map<string, Loaded>();
  private readonly used = new Set<string>();

  constructor(private readonly dir: string = templatesDir()) {
    registerHelpers(this.hb);
  }

  private load(name: string): Loaded {
    const cached = this.loaded.get(name);
    if (cached) return cached;
    const file = path.join(this.dir, name);
    const shown = file.startsWith(repoRoot + path.sep) ? path.relative(repoRoot, file) : file;
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      throw new RenderError(`template ${shown} cannot be read`);
    }
    const params = lintTemplate(source, shown, kindOf(name));
    const compiled = this.hb.compile(source, { noEscape: true, strict: true });
    const t: Loaded = { file, shown, source, params, run: compiled as Compiled };
    this.loaded.set(name, t);
    this.registerPartials(source, name);
    return t;
  }

  // Partials are other files of the same language: `{{> source-qemu}}` is source-qemu.hcl.hbs.
  private registerPartials(source: string, parent: string): void {
    const suffix = parent.endsWith('.hcl.hbs') ? '.hcl.hbs' : '.sh.hbs';
    for (const match of source.matchAll(/\{\{>\s*([A-Za-z0-9_-]+)/g)) {
      const name = match[1];
      if (this.hb.partials[name]) continue;
      const partial = this.load(`${name}${suffix}`);
      this.hb.registerPartial(name, (view: unknown, options?: unknown) =>
        this.invoke(partial, view, options),
      );
    }
  }

  private invoke(t: Loaded, view: unknown, options?: unknown): string {
    this.used.add(t.file);
    try {
      return t.run(view, options);
    } catch (error) {
      throw nameError(t, error);
    }
  }

  render(name: string, view: unknown): string {
    return this.invoke(this.load(name), view);
  }

  /** sha256 over the names and bytes of every template rendered so far, in name order. */
  templateHash(): string {
    const parts = [...this.used].sort().map((file) => {
      const t = [...this.loaded.values()].find((l) => l.file === file);
      return `${path.basename(file)}\0${t?.source ?? ''}\0`;
    });
    return sha256(parts.join(''));
  }
}
