// The amibake command line: each command is one module in ./commands exporting `run` and `summary`.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AmibakeError, EXIT } from '../errors.js';
import { redact } from '../redact.js';
import { setLogLevel } from '../log.js';

export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const commandsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');

async function listCommands(): Promise<string[]> {
  const files = await readdir(commandsDir);
  return files
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.(ts|js)$/, ''))
    .sort();
}

async function loadCommand(name: string): Promise<Command | undefined> {
  const names = await listCommands();
  if (!names.includes(name)) return undefined;
  const ext = path.extname(fileURLToPath(import.meta.url));
  return (await import(path.join(commandsDir, `${name}${ext}`))) as Command;
}

async function printUsage(): Promise<void> {
  const lines = ['usage: amibake <command> [options]   (--debug for stacks, --verbose)', ''];
  for (const name of await listCommands()) {
    const command = await loadCommand(name);
    lines.push(`  ${name.padEnd(12)} ${command?.summary ?? ''}`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}

function reportError(error: unknown, debug: boolean): number {
  if (error instanceof AmibakeError) {
    process.stderr.write(`amibake: ${redact(error.message)}\n`);
    if (error.hint) process.stderr.write(`hint: ${redact(error.hint)}\n`);
    if (debug && error.stack) process.stderr.write(`${redact(error.stack)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`amibake: unexpected error: ${redact(message)}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${redact(error.stack)}\n`);
  return EXIT.failed;
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const rest = argv.filter((a) => a !== '--debug');
  if (rest.includes('--verbose')) setLogLevel({ verbose: true });
  const args = rest.filter((a) => a !== '--verbose');

  const [name, ...commandArgs] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await printUsage();
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = await loadCommand(name);
  if (!command) {
    process.stderr.write(`amibake: unknown command "${name}"; run "amibake --help" for the list\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(commandArgs);
  } catch (error) {
    return reportError(error, debug);
  }
}

const invokedDirectly = process.argv[1] && /(amibake(\.js)?|main\.(ts|js))$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
