// One error class per area; each carries where it happened and maps to its own exit code.

export const EXIT = {
  ok: 0,
  failed: 1,
  spec: 2,
  render: 3,
  packer: 4,
  aws: 5,
  verify: 6,
  bake: 7,
  state: 8,
  usage: 64,
  stale: 10,
  interrupted: 130,
} as const;

export class AmibakeError extends Error {
  readonly exitCode: number = EXIT.failed;
  readonly hint?: string;

  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options?.hint;
  }
}

export interface SpecProblem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

// All problems of one spec (or of several) at once; each prints as one line.
export class SpecError extends AmibakeError {
  override readonly exitCode: number = EXIT.spec;
  readonly problems: SpecProblem[];

  constructor(problems: SpecProblem[]) {
    super(problems.map(formatSpecProblem).join('\n'));
    this.problems = problems;
  }
}

export function formatSpecProblem(p: SpecProblem): string {
  const field = p.path === '' ? '(document)' : p.path;
  return `${p.file}:${p.line}:${p.column}: ${field}: ${p.message}`;
}

export class RenderError extends AmibakeError {
  override readonly exitCode: number = EXIT.render;
}

export class PackerError extends AmibakeError {
  override readonly exitCode: number = EXIT.packer;
}

export class AwsError extends AmibakeError {
  override readonly exitCode: number = EXIT.aws;
  readonly call?: string;
  readonly code?: string;

  constructor(message: string, options?: { call?: string; code?: string; hint?: string; cause?: unknown }) {
    super(options?.call ? `${options.call}: ${message}` : message, options);
    this.call = options?.call;
    this.code = options?.code;
  }
}

export class VerifyError extends AmibakeError {
  override readonly exitCode: number = EXIT.verify;
}

export class BakeError extends AmibakeError {
  override readonly exitCode: number = EXIT.bake;
}

export class StateError extends AmibakeError {
  override readonly exitCode: number = EXIT.state;
}

export class UsageError extends AmibakeError {
  override readonly exitCode: number = EXIT.usage;
}

export class InterruptedError extends AmibakeError {
  override readonly exitCode: number = EXIT.interrupted;
}
