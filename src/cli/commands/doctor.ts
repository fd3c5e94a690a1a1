// `amibake doctor [--target aws|local] [--json] [--state URI] [--public] [--region R]`: litmus
// tests of credentials, permissions and tools, one line each; exit 1 when any check failed.
import { EXIT, UsageError } from '../../errors.js';
import { info, printJson } from '../../log.js';
import { redact } from '../../redact.js';
import { anyFailed, formatResult } from '../../doctor/check-result.js';
import { runDoctor } from '../../doctor/doctor.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'check credentials, IAM permissions and tools before a bake';

const USAGE =
  'usage: amibake doctor [--target aws|local] [--json] [--state URI] [--public] [--region R]';

function targetOf(value: string | undefined): 'aws' | 'local' {
  if (value === undefined || value === 'aws' || value === 'local') return value ?? 'aws';
  throw new UsageError(`doctor: --target takes aws or local (got "${value}")`);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('doctor', argv, {
    target: { type: 'string' },
    json: { type: 'boolean', default: false },
    state: { type: 'string' },
    public: { type: 'boolean', default: false },
    region: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    info(`${USAGE}\n  ${summary}`);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`doctor takes no arguments; ${USAGE}`);
  const results = await runDoctor({
    target: targetOf(values.target),
    state: values.state ?? process.env.AMIBAKE_STATE,
    public: values.public,
    region: values.region,
  });
  const failed = anyFailed(results);
  if (values.json) printJson({ ok: !failed, checks: results });
  else process.stdout.write(`${redact(results.map(formatResult).join('\n'))}\n`);
  return failed ? EXIT.failed : EXIT.ok;
}
