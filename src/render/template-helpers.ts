// The helpers templates may call. Every one refuses an undefined argument (Handlebars' strict
// mode only checks plain `{{name}}` lookups), so a missing view field is an error, not "".
import type { HelperDelegate, HelperOptions } from 'handlebars';
import { RenderError } from '../errors.js';
import { hclList, hclMap, hclScalar, type HclScalar, type HclValue } from './hcl-escape.js';
import { shList, shQuote } from './sh-escape.js';

type Hb = typeof import('handlebars');

type Loc = { start: { line: number; column: number } };

/** Thrown when a helper argument is undefined; the engine turns it into a named RenderError. */
export class MissingValue extends Error {
  constructor(
    readonly loc: Loc | undefined,
    readonly position: number,
  ) {
    super('missing value');
  }
}

/** A RenderError raised inside a helper, with the place in the template it came from. */
export class HelperFailure extends Error {
  constructor(
    readonly loc: Loc | undefined,
    readonly error: RenderError,
  ) {
    super(error.message);
  }
}

function locOf(options: HelperOptions): Loc | undefined {
  return (options as HelperOptions & { loc?: Loc }).loc;
}

function strict(fn: (this: unknown, ...args: unknown[]) => unknown): HelperDelegate {
  return function (this: unknown, ...all: unknown[]) {
    const options = all[all.length - 1] as HelperOptions;
    const args = all.slice(0, -1);
    const missing = args.findIndex((a) => a === undefined);
    if (missing !== -1) throw new MissingValue(locOf(options), missing);
    try {
      return fn.apply(this, all);
    } catch (error) {
      if (error instanceof RenderError) throw new HelperFailure(locOf(options), error);
      throw error;
    }
  };
}

export function registerHelpers(hb: Hb): void {
  const builtins = ['if', 'unless', 'each', 'with'];
  for (const name of builtins) {
    const original = hb.helpers[name] as (this: unknown, ...a: unknown[]) => unknown;
    hb.registerHelper(name, strict(original));
  }
  hb.registerHelper('hcl', strict((value) => hclScalar(value as HclScalar)));
  hb.registerHelper('hclList', strict((items) => hclList(items as HclValue[])));
  hb.registerHelper('hclMap', strict((map) => hclMap(map as Record<string, HclScalar>)));
  hb.registerHelper('sh', strict((value) => shQuote(value as string)));
  hb.registerHelper('shList', strict((items) => shList(items as string[])));
}
