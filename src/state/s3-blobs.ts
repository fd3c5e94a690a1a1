// Blobs as S3 objects under s3://bucket/prefix/. Conditional writes are S3's own: If-None-Match
// "*" creates, If-Match <etag> replaces; 412 (or 409 for a racing conditional write) = lost.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { AwsError, StateError } from '../errors.js';
import { s3Client } from '../aws/clients.js';
import { send } from '../aws/actions.js';
import type { Blob, BlobStore, WriteCondition } from './blobs.js';

const LOST_RACE = new Set(['PreconditionFailed', 'ConditionalRequestConflict']);

function codeOf(error: unknown): string | undefined {
  return error instanceof AwsError ? error.code : undefined;
}

export class S3BlobStore implements BlobStore {
  private readonly root: string;

  constructor(
    readonly bucket: string,
    prefix: string,
    private readonly region?: string,
  ) {
    this.root = prefix === '' ? '' : `${prefix}/`;
  }

  get location(): string {
    return `s3://${this.bucket}/${this.root}`;
  }

  describe(key: string): string {
    return `${this.location}${key}`;
  }

  private get client() {
    return s3Client(this.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION);
  }

  // One message for a missing bucket, whichever call meets it first.
  private explain(error: unknown): unknown {
    if (codeOf(error) !== 'NoSuchBucket') return error;
    return new StateError(`the state bucket ${this.bucket} does not exist`, {
      hint: `create it (aws s3 mb s3://${this.bucket}) or point --state / AMIBAKE_STATE elsewhere`,
      cause: error,
    });
  }

  async read(key: string): Promise<Blob | undefined> {
    try {
      const out = await send(
        this.client,
        new GetObjectCommand({ Bucket: this.bucket, Key: this.root + key }),
        { phase: 'state' },
      );
      const body = (await out.Body?.transformToString('utf8')) ?? '';
      return { body, version: out.ETag ?? '' };
    } catch (error) {
      if (codeOf(error) === 'NoSuchKey') return undefined;
      throw this.explain(error);
    }
  }

  async write(key: string, body: string, condition?: WriteCondition): Promise<string | undefined> {
    const guard =
      condition === undefined
        ? {}
        : 'ifAbsent' in condition
          ? { IfNoneMatch: '*' }
          : { IfMatch: condition.ifVersion };
    try {
      const out = await send(
        this.client,
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.root + key,
          Body: body,
          ContentType: 'application/json',
          ...guard,
        }),
        { phase: 'state' },
      );
      return out.ETag ?? '';
    } catch (error) {
      const code = codeOf(error);
      if (code && LOST_RACE.has(code)) return undefined;
      // If-Match on a key deleted meanwhile: the version we read is gone, so the race is lost.
      if (code === 'NoSuchKey' && condition && 'ifVersion' in condition) return undefined;
      throw this.explain(error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    await this.eachPage(prefix, undefined, (page) => {
      for (const item of page.Contents ?? []) {
        if (item.Key) keys.push(item.Key.slice(this.root.length));
      }
    });
    return keys.sort();
  }

  async children(prefix: string): Promise<string[]> {
    const names: string[] = [];
    await this.eachPage(prefix, '/', (page) => {
      for (const p of page.CommonPrefixes ?? []) {
        const rest = p.Prefix?.slice(this.root.length + prefix.length);
        if (rest) names.push(rest.replace(/\/$/, ''));
      }
    });
    return names.sort();
  }

  private async eachPage(
    prefix: string,
    delimiter: string | undefined,
    visit: (page: ListObjectsV2CommandOutput) => void,
  ): Promise<void> {
    let token: string | undefined;
    do {
      try {
        const page = await send(
          this.client,
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.root + prefix,
            ...(delimiter ? { Delimiter: delimiter } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
          { phase: 'state' },
        );
        visit(page);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } catch (error) {
        throw this.explain(error);
      }
    } while (token);
  }

  async remove(key: string): Promise<void> {
    try {
      await send(
        this.client,
        new DeleteObjectCommand({ Bucket: this.bucket, Key: this.root + key }),
        { phase: 'state' },
      );
    } catch (error) {
      throw this.explain(error);
    }
  }
}
