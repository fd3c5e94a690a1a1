// amibake image NAME: the main job - bake, boot and smoke-test, and (aws, --publish) publish.
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../../errors.js';
import { printJson } from '../../log.js';
import { loadSpec } from '../../spec/load.js';
import { withInterrupts } from '../../bake/interrupts.js';
import { runImage, targetOption } from '../../bake/image.js';
import { mirrorsFromEnv } from '../../bake/sources.js';

export const summary = 'bake, verify and optionally publish: image NAME [--target local|aws] [--publish]';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('image', argv, {
    target: { type: 'string', default: 'local' },
    publish: { type: 'boolean', default: false },
    offline: { type: 'boolean', default: false },
    'source-mirror': { type: 'string', multiple: true },
    'ssh-cidr': { type: 'string' },
    'assume-unblocked': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError('image: give exactly one image name');
  const target = targetOption(values.target);
  const loaded = await loadSpec(name);
  const manifest = await withInterrupts((signal) =>
    runImage(loaded, target, {
      signal,
      publish: values.publish,
      offline: values.offline,
      mirrors: [...(values['source-mirror'] ?? []), ...mirrorsFromEnv()],
      sshCidr: values['ssh-cidr'],
      assumeUnblocked: values['assume-unblocked'],
    }),
  );
  if (values.json) printJson(manifest);
  return 0;
}
