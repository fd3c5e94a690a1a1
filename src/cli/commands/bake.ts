// amibake bake NAME [--target local|aws]: bake an image without verifying it.
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../../errors.js';
import { printJson } from '../../log.js';
import { loadSpec } from '../../spec/load.js';
import { withInterrupts } from '../../bake/interrupts.js';
import { bakeTarget, targetOption } from '../../bake/image.js';
import { mirrorsFromEnv } from '../../bake/sources.js';

export const summary = 'bake without verifying: bake NAME [--target local|aws] (see README for flags)';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('bake', argv, {
    target: { type: 'string', default: 'local' },
    offline: { type: 'boolean', default: false },
    'source-mirror': { type: 'string', multiple: true },
    'no-provision': { type: 'boolean', default: false },
    'base-ami': { type: 'string' },
    'ssh-host': { type: 'string' },
    'ssh-port': { type: 'string' },
    'ssh-user': { type: 'string' },
    'ssh-key': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError('bake: give exactly one image name');
  const target = targetOption(values.target);
  const loaded = await loadSpec(name);
  const mirrors = [...(values['source-mirror'] ?? []), ...mirrorsFromEnv()];
  const options = {
    mirrors,
    offline: values.offline,
    noProvision: values['no-provision'],
    baseAmi: values['base-ami'],
    // A machine standing in for the aws build instance (it already trusts --ssh-key).
    sshHost: values['ssh-host'],
    sshPort: values['ssh-port'],
    sshUser: values['ssh-user'],
    sshPrivateKeyFile: values['ssh-key'],
  };
  const result = await withInterrupts((signal) => bakeTarget(loaded, target, { ...options, signal }));
  if (values.json) printJson(result.manifest);
  return 0;
}
