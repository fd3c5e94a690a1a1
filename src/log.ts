// Logs go to stderr, redacted; machine output (JSON) alone goes to stdout.
import { redact } from './redact.js';

let verbose = process.env.AMIBAKE_VERBOSE === '1';
let quiet = false;

export function setLogLevel(options: { verbose?: boolean; quiet?: boolean }): void {
  verbose = options.verbose ?? verbose;
  quiet = options.quiet ?? quiet;
}

export function info(message: string): void {
  if (!quiet) process.stderr.write(`${redact(message)}\n`);
}

export function debug(message: string): void {
  if (verbose) process.stderr.write(`debug: ${redact(message)}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`warning: ${redact(message)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${redact(JSON.stringify(value, null, 2))}\n`);
}
