// Shares an AMI and its snapshots (public, accounts, organizations) and reads both back, since
// an endpoint may accept a permission request and not apply it (moto ignores some forms).
import {
  DescribeImageAttributeCommand,
  DescribeSnapshotAttributeCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  type LaunchPermission,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../errors.js';
import { send } from './actions.js';
import { ec2Client } from './clients.js';

export interface Sharing {
  public: boolean;
  accounts: string[];
  /** Organization or organizational-unit ARNs; AMIs only, snapshots cannot take them. */
  organizations: string[];
}

export function isShared(sharing: Sharing): boolean {
  return sharing.public || sharing.accounts.length > 0 || sharing.organizations.length > 0;
}

function launchPermissions(sharing: Sharing): LaunchPermission[] {
  return [
    ...(sharing.public ? [{ Group: 'all' as const }] : []),
    ...sharing.accounts.map((UserId) => ({ UserId })),
    ...sharing.organizations.map((arn) =>
      arn.includes(':ou/') ? { OrganizationalUnitArn: arn } : { OrganizationArn: arn },
    ),
  ];
}

function describePermission(p: LaunchPermission): string {
  return p.Group ?? p.UserId ?? p.OrganizationArn ?? p.OrganizationalUnitArn ?? '?';
}

export async function shareImage(region: string, imageId: string, sharing: Sharing): Promise<void> {
  const add = launchPermissions(sharing);
  if (add.length === 0) return;
  await send(
    ec2Client(region),
    new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: add } }),
    { phase: 'publish' },
  );
}

// The older OperationType + GroupNames/UserIds form: moto ignores the structured
// CreateVolumePermission form, and AWS accepts both.
export async function shareSnapshot(
  region: string,
  snapshotId: string,
  sharing: Sharing,
): Promise<void> {
  if (!sharing.public && sharing.accounts.length === 0) return;
  await send(
    ec2Client(region),
    new ModifySnapshotAttributeCommand({
      SnapshotId: snapshotId,
      Attribute: 'createVolumePermission',
      OperationType: 'add',
      ...(sharing.public ? { GroupNames: ['all'] } : {}),
      ...(sharing.accounts.length > 0 ? { UserIds: sharing.accounts } : {}),
    }),
    { phase: 'publish' },
  );
}

function missing(expected: string[], actual: string[]): string[] {
  return expected.filter((e) => !actual.includes(e));
}

/** Throws when the image or any snapshot lacks a permission that was set. */
export async function confirmSharing(
  region: string,
  imageId: string,
  snapshotIds: string[],
  sharing: Sharing,
): Promise<void> {
  const ec2 = ec2Client(region);
  const wantImage = launchPermissions(sharing).map(describePermission);
  if (wantImage.length > 0) {
    const out = await send(
      ec2,
      new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }),
      { phase: 'publish' },
    );
    const have = (out.LaunchPermissions ?? []).map(describePermission);
    const lacking = missing(wantImage, have);
    if (lacking.length > 0) {
      throw new AwsError(
        `${imageId} in ${region} lacks launch permission ${lacking.join(', ')} after it was set` +
          ` (has: ${have.join(', ') || 'none'})`,
        { code: 'PermissionNotApplied' },
      );
    }
  }
  const wantSnapshot = [...(sharing.public ? ['all'] : []), ...sharing.accounts];
  if (wantSnapshot.length === 0) return;
  for (const snapshotId of snapshotIds) {
    const out = await send(
      ec2,
      new DescribeSnapshotAttributeCommand({
        SnapshotId: snapshotId,
        Attribute: 'createVolumePermission',
      }),
      { phase: 'publish' },
    );
    const have = (out.CreateVolumePermissions ?? []).map((p) => p.Group ?? p.UserId ?? '?');
    const lacking = missing(wantSnapshot, have);
    if (lacking.length > 0) {
      throw new AwsError(
        `snapshot ${snapshotId} of ${imageId} in ${region} lacks createVolumePermission` +
          ` ${lacking.join(', ')} after it was set (has: ${have.join(', ') || 'none'})`,
        { code: 'PermissionNotApplied' },
      );
    }
  }
}

/** The image's launch permissions and each snapshot's volume permissions, as plain names. */
export interface SharingState {
  image: LaunchPermission[];
  snapshots: Record<string, string[]>;
}

export async function readSharing(
  region: string,
  imageId: string,
  snapshotIds: string[],
): Promise<SharingState> {
  const ec2 = ec2Client(region);
  const image = await send(
    ec2,
    new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }),
    { phase: 'publish' },
  );
  const snapshots: Record<string, string[]> = {};
  for (const snapshotId of snapshotIds) {
    const command = new DescribeSnapshotAttributeCommand({
      SnapshotId: snapshotId,
      Attribute: 'createVolumePermission',
    });
    const out = await send(ec2, command, { phase: 'publish' });
    const names = (out.CreateVolumePermissions ?? []).map((p) => p.Group ?? p.UserId ?? '?');
    snapshots[snapshotId] = names;
  }
  return { image: image.LaunchPermissions ?? [], snapshots };
}

/**
 * Takes back what `sharing` granted and `before` did not have, as far as it took effect: for
 * images that existed before a publish that then failed. Returns what it removed, as names.
 */
export async function unshare(
  region: string,
  imageId: string,
  sharing: Sharing,
  before: SharingState,
): Promise<string[]> {
  const now = await readSharing(region, imageId, Object.keys(before.snapshots));
  const asked = launchPermissions(sharing).map(describePermission);
  const had = before.image.map(describePermission);
  const remove = now.image.filter((p) => {
    const name = describePermission(p);
    return asked.includes(name) && !had.includes(name);
  });
  if (remove.length > 0) {
    await send(
      ec2Client(region),
      new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Remove: remove } }),
      { phase: 'publish' },
    );
  }
  const granted = [...(sharing.public ? ['all'] : []), ...sharing.accounts];
  for (const [snapshotId, hadNames] of Object.entries(before.snapshots)) {
    const names = (now.snapshots[snapshotId] ?? [])
      .filter((name) => granted.includes(name) && !hadNames.includes(name));
    if (names.length > 0) await unshareSnapshot(region, snapshotId, names);
  }
  return remove.map(describePermission);
}

async function unshareSnapshot(region: string, snapshotId: string, names: string[]) {
  const accounts = names.filter((n) => n !== 'all');
  await send(
    ec2Client(region),
    new ModifySnapshotAttributeCommand({
      SnapshotId: snapshotId,
      Attribute: 'createVolumePermission',
      OperationType: 'remove',
      ...(names.includes('all') ? { GroupNames: ['all'] } : {}),
      ...(accounts.length > 0 ? { UserIds: accounts } : {}),
    }),
    { phase: 'publish' },
  );
}
