// Parses where state lives: a directory, file://DIR, or s3://bucket[/prefix][?region=R].
import path from 'node:path';
import { UsageError } from '../errors.js';

export type StateTarget =
  | { kind: 'local'; dir: string }
  | { kind: 's3'; bucket: string; prefix: string; region?: string };

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseStateUri(uri: string): StateTarget {
  if (uri.startsWith('s3://')) return parseS3(uri);
  if (uri.startsWith('file://')) return { kind: 'local', dir: path.resolve(uri.slice(7)) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new UsageError(`state location "${uri}" has an unknown scheme`, {
      hint: 'use a directory, file://DIR or s3://bucket/prefix',
    });
  }
  return { kind: 'local', dir: path.resolve(uri) };
}

function parseS3(uri: string): StateTarget {
  const url = new URL(uri);
  const bucket = url.hostname;
  if (!BUCKET.test(bucket)) {
    throw new UsageError(`state location "${uri}" does not name a valid S3 bucket`, {
      hint: 'write it as s3://bucket-name/optional/prefix',
    });
  }
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  const region = url.searchParams.get('region') ?? undefined;
  return region ? { kind: 's3', bucket, prefix, region } : { kind: 's3', bucket, prefix };
}
