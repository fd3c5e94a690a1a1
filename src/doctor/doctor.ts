// amibake doctor: runs the litmus tests for a target in a fixed order and returns one result
// per check; nothing here changes any resource.
import { warnResult, type CheckResult } from './check-result.js';
import { credentialCheck, findCredentialSource } from './credential-source.js';
import { awsChecks } from './aws-checks.js';
import { publicCheck } from './public-check.js';
import { stateCheck } from './state-check.js';
import { localChecks, packerCheck } from './tool-checks.js';

export interface DoctorOptions {
  target: 'aws' | 'local';
  /** A state location to check: a directory, file://DIR or s3://bucket/prefix. */
  state?: string;
  /** Also check that public AMIs may be published. */
  public?: boolean;
  region?: string;
}

function regionOf(options: DoctorOptions): string | undefined {
  return options.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined;
}

// AWS calls are made only for the aws target or an s3:// state, and only with credentials
// found without the instance metadata service.
async function awsPart(options: DoctorOptions): Promise<CheckResult[]> {
  const source = findCredentialSource();
  const results = [credentialCheck(source)];
  const wantState = options.state?.startsWith('s3://') ?? false;
  if (options.target !== 'aws' && !wantState) return results;
  if (!source.usable) {
    results.push(warnResult('aws checks', 'skipped: no credentials to make them with'));
    return results;
  }
  const region = regionOf(options);
  const aws = options.target === 'aws' ? await awsChecks(region) : undefined;
  if (aws) results.push(...aws.results);
  if (aws && !aws.credentialsWork) return results;
  if (wantState) results.push(await stateCheck(options.state as string, region));
  if (options.public) results.push(await publicCheck(region));
  return results;
}

export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [await packerCheck()];
  if (options.target === 'local') results.push(...(await localChecks()));
  if (options.target === 'aws' || options.state?.startsWith('s3://')) {
    results.push(...(await awsPart(options)));
  }
  if (options.state && !options.state.startsWith('s3://')) {
    results.push(await stateCheck(options.state, undefined));
  }
  return results;
}
