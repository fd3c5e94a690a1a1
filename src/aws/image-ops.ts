// Small AMI operations shared by publish and prune: describe, find by name, tag an image with
// its snapshots, and remove an image together with its snapshots.
import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  type Image,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../errors.js';
import { send, type Phase } from './actions.js';
import { ec2Client } from './clients.js';
import { TAG_KEYS } from '../render/source-amazon.js';

// The same keys the renderer puts on baked AMIs, so publish and prune find those too.
export const TAG_IMAGE = TAG_KEYS.image;
export const TAG_BUILD = TAG_KEYS.buildId;
export const TAG_SOURCE = 'amibake:source';

export function snapshotsOf(image: Image): string[] {
  const mappings = image.BlockDeviceMappings ?? [];
  return mappings.flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
}

export function tagValue(image: Image, key: string): string | undefined {
  return image.Tags?.find((t) => t.Key === key)?.Value;
}

/** The image, or undefined once it is gone (deregistered images read as absent). */
export async function describeImage(
  region: string,
  imageId: string,
  phase: Phase,
): Promise<Image | undefined> {
  try {
    const command = new DescribeImagesCommand({ ImageIds: [imageId] });
    const out = await send(ec2Client(region), command, { phase });
    return out.Images?.find((i) => i.ImageId === imageId);
  } catch (error) {
    if (error instanceof AwsError && /^InvalidAMIID\./.test(error.code ?? '')) return undefined;
    throw error;
  }
}

/** Our own account's image with exactly this name in a region, if any. */
export async function findOwnImageByName(
  region: string,
  name: string,
  phase: Phase,
): Promise<Image | undefined> {
  const out = await send(
    ec2Client(region),
    new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }),
    { phase },
  );
  return out.Images?.find((i) => i.Name === name && i.State !== 'deregistered');
}

export async function tagResources(
  region: string,
  resources: string[],
  tags: Record<string, string>,
  phase: Phase,
): Promise<void> {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  if (resources.length === 0 || list.length === 0) return;
  const command = new CreateTagsCommand({ Resources: resources, Tags: list });
  await send(ec2Client(region), command, { phase });
}

// Snapshots made FOR the image: AWS writes "Copied for DestinationAmi <id>" (CopyImage) or
// "Created by CreateImage(...) for <id>" into their descriptions (moto: "... for AMI <id>"),
// which finds them even when the image, a copy still pending, listed none.
async function snapshotsMadeFor(region: string, imageId: string, phase: Phase): Promise<string[]> {
  const out = await send(
    ec2Client(region),
    new DescribeSnapshotsCommand({
      OwnerIds: ['self'],
      Filters: [{ Name: 'description', Values: [`*${imageId}*`] }],
    }),
    { phase },
  );
  const madeFor = new RegExp(`for (DestinationAmi |AMI )?${imageId}\\b`);
  return (out.Snapshots ?? []).flatMap((s) =>
    s.SnapshotId && madeFor.test(s.Description ?? '') ? [s.SnapshotId] : [],
  );
}

/**
 * Deregisters an image, then deletes its snapshots (AWS refuses to delete a snapshot an AMI
 * still uses). Returns the snapshots deleted. A snapshot already gone is not an error.
 */
export async function removeImage(region: string, image: Image, phase: Phase): Promise<string[]> {
  const imageId = image.ImageId ?? '';
  try {
    await send(ec2Client(region), new DeregisterImageCommand({ ImageId: imageId }), { phase });
  } catch (error) {
    if (!(error instanceof AwsError && /^InvalidAMIID\./.test(error.code ?? ''))) throw error;
  }
  const mapped = snapshotsOf(image);
  const snapshots = new Set([...mapped, ...(await snapshotsMadeFor(region, imageId, phase))]);
  const deleted: string[] = [];
  for (const snapshotId of snapshots) {
    try {
      const command = new DeleteSnapshotCommand({ SnapshotId: snapshotId });
      await send(ec2Client(region), command, { phase });
      deleted.push(snapshotId);
    } catch (error) {
      const code = error instanceof AwsError ? error.code : undefined;
      // Another image may still use a snapshot found by description only; leave it.
      const stillUsed = code === 'InvalidSnapshot.InUse' && !mapped.includes(snapshotId);
      if (code !== 'InvalidSnapshot.NotFound' && !stillUsed) throw error;
    }
  }
  return deleted;
}
