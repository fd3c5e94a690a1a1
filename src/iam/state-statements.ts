// The S3 statements of the state store: object actions on keys under the prefix, ListBucket on
// the bucket limited to the prefix. Without a bucket they apply to any bucket (stated on stderr
// by the command).
import type { ActionInfo } from '../aws/action-registry.js';
import { actionList, permissionOf } from './action-names.js';
import type { PolicyStatement, StateBucket } from './policy-types.js';

const BUCKET_ACTIONS = new Set(['s3:ListBucket']);

/** arn:aws:s3:::bucket/prefix/* (or bucket/* without a prefix). */
export function objectArn(state: StateBucket): string {
  return `arn:aws:s3:::${state.bucket}/${state.prefix === '' ? '' : `${state.prefix}/`}*`;
}

export function bucketArn(state: StateBucket): string {
  return `arn:aws:s3:::${state.bucket}`;
}

export function stateStatements(
  phase: string,
  rows: ActionInfo[],
  state: StateBucket | undefined,
): PolicyStatement[] {
  const names = rows.map((row) => permissionOf(row) as string);
  const bucketNames = actionList(names.filter((n) => BUCKET_ACTIONS.has(n)));
  const objectNames = actionList(names.filter((n) => !BUCKET_ACTIONS.has(n)));
  const statements: PolicyStatement[] = [];
  if (bucketNames.length > 0) {
    const statement: PolicyStatement = {
      Sid: `${phase}BucketList`,
      Effect: 'Allow',
      Action: bucketNames,
      Resource: state ? bucketArn(state) : '*',
    };
    // The store lists only under "prefix/"; StringLike's * also matches the empty rest.
    if (state && state.prefix !== '') {
      statement.Condition = { StringLike: { 's3:prefix': `${state.prefix}/*` } };
    }
    statements.push(statement);
  }
  if (objectNames.length > 0) {
    statements.push({
      Sid: `${phase}Objects`,
      Effect: 'Allow',
      Action: objectNames,
      Resource: state ? objectArn(state) : '*',
    });
  }
  return statements;
}
