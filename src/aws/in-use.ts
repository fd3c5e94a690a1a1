// Which AMIs something still depends on in a region: instances that exist (pending, running,
// stopping, stopped) and the latest and default versions of every launch template.
import {
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type LaunchTemplate,
} from '@aws-sdk/client-ec2';
import { send } from './actions.js';
import { ec2Client } from './clients.js';

/** AMI id -> why it is in use (first reason found). */
export type InUse = Map<string, string>;

const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down'];

async function instancesUsing(region: string, imageIds: string[], inUse: InUse): Promise<void> {
  let NextToken: string | undefined;
  do {
    const out = await send(
      ec2Client(region),
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'image-id', Values: imageIds },
          { Name: 'instance-state-name', Values: LIVE_STATES },
        ],
        NextToken,
      }),
      { phase: 'prune' },
    );
    for (const instance of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      const state = instance.State?.Name ?? 'unknown';
      if (instance.ImageId && LIVE_STATES.includes(state) && !inUse.has(instance.ImageId)) {
        inUse.set(instance.ImageId, `used by instance ${instance.InstanceId} (${state})`);
      }
    }
    NextToken = out.NextToken;
  } while (NextToken);
}

async function allTemplates(region: string): Promise<LaunchTemplate[]> {
  const templates: LaunchTemplate[] = [];
  let NextToken: string | undefined;
  do {
    const command = new DescribeLaunchTemplatesCommand({ NextToken });
    const out = await send(ec2Client(region), command, { phase: 'prune' });
    templates.push(...(out.LaunchTemplates ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return templates;
}

// One call per template: the API takes "$Latest"/"$Default" only with a single template id.
async function templatesUsing(region: string, imageIds: string[], inUse: InUse): Promise<void> {
  for (const template of await allTemplates(region)) {
    const out = await send(
      ec2Client(region),
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: template.LaunchTemplateId,
        Versions: ['$Latest', '$Default'],
      }),
      { phase: 'prune' },
    );
    for (const version of out.LaunchTemplateVersions ?? []) {
      const imageId = version.LaunchTemplateData?.ImageId;
      if (imageId && imageIds.includes(imageId) && !inUse.has(imageId)) {
        const which = version.DefaultVersion ? 'default' : 'latest';
        const name = template.LaunchTemplateName;
        const why = `used by launch template ${name} (${which} version ${version.VersionNumber})`;
        inUse.set(imageId, why);
      }
    }
  }
}

export async function imagesInUse(region: string, imageIds: string[]): Promise<InUse> {
  const inUse: InUse = new Map();
  if (imageIds.length === 0) return inUse;
  await instancesUsing(region, imageIds, inUse);
  await templatesUsing(region, imageIds, inUse);
  return inUse;
}
