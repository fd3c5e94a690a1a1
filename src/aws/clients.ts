// AWS SDK clients for one region each, built the same way everywhere: standard credential
// chain, endpoint overrides from the environment, few attempts with adaptive retry.
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';

export type AwsService = 'ec2' | 's3' | 'sts' | 'ssm' | 'iam';

export interface AwsConfig {
  region?: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: 'adaptive';
  requestHandler: { connectionTimeout: number; requestTimeout: number };
}

// Adaptive mode adds a client-side rate limiter that backs off on throttling; three attempts
// keep a wrong endpoint or a missing permission from stalling a run for long.
const MAX_ATTEMPTS = 3;

/**
 * The endpoint for one service: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, unless
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true. SDK 3.1178 already honours these variables on its
 * own (@smithy/core getEndpointUrlConfig); we still resolve them here so the value handed to
 * Packer's custom_endpoint_ec2 is the very one our own calls use. Profile `endpoint_url`
 * settings in ~/.aws/config are honoured by the SDK only, not passed to Packer.
 */
export function endpointFor(service: AwsService, env = process.env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  const specific = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`];
  if (specific) return specific;
  return env.AWS_ENDPOINT_URL || undefined;
}

// Region falls back to the SDK's own chain (AWS_REGION, then the profile) when not given.
export function awsConfig(region?: string, service: AwsService = 'ec2'): AwsConfig {
  const endpoint = endpointFor(service);
  return {
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'adaptive',
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  };
}

// One client per service, region and endpoint, reused so connections are kept alive.
const cache = new Map<string, unknown>();

function cached<T>(service: AwsService, region: string | undefined, make: () => T): T {
  const key = `${service}|${region ?? ''}|${endpointFor(service) ?? ''}`;
  let client = cache.get(key) as T | undefined;
  if (!client) {
    client = make();
    cache.set(key, client);
  }
  return client;
}

export function ec2Client(region?: string): EC2Client {
  return cached('ec2', region, () => new EC2Client(awsConfig(region, 'ec2')));
}

export function s3Client(region?: string): S3Client {
  return cached('s3', region, () => {
    const config = awsConfig(region, 's3');
    // Path-style works with any endpoint (moto, MinIO); checksums only where S3 requires them,
    // since S3-compatible stores reject the newer default trailing checksums.
    return new S3Client({
      ...config,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });
}

export function stsClient(region?: string): STSClient {
  return cached('sts', region, () => new STSClient(awsConfig(region, 'sts')));
}

export function ssmClient(region?: string): SSMClient {
  return cached('ssm', region, () => new SSMClient(awsConfig(region, 'ssm')));
}

export function iamClient(region?: string): IAMClient {
  return cached('iam', region, () => new IAMClient(awsConfig(region, 'iam')));
}

/** Forgets every client, e.g. after a test changed the endpoint or credentials. */
export function resetClients(): void {
  for (const client of cache.values()) (client as { destroy(): void }).destroy();
  cache.clear();
}
