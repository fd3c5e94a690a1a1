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
