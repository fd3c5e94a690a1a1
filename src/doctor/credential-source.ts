// Where the AWS SDK would find credentials, found the way its default chain looks (AWS_PROFILE,
// then env keys, then the default profile, web identity, container), without calling anything:
// the instance metadata service is never contacted, only reported as what would remain.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fail, ok, warnResult, type CheckResult } from './check-result.js';

export type SourceKind = 'env' | 'profile' | 'web-identity' | 'container' | 'instance' | 'none';

export interface CredentialSource {
  kind: SourceKind;
  /** What was found, for people; never a secret. */
  detail: string;
  /** Whether doctor may make AWS calls with it (never for an unprobed instance role). */
  usable: boolean;
}

type Sections = Map<string, Map<string, string>>;

// Just enough INI for the shared files: [name] / [profile name] sections of key = value.
export function parseIni(text: string, config: boolean): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      const name = config ? header[1].replace(/^profile\s+/, '') : header[1];
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair && current) current.set(pair[1].toLowerCase(), pair[2]);
  }
  return sections;
}

function readIni(file: string, config: boolean): Sections {
  try {
    return parseIni(readFileSync(file, 'utf8'), config);
  } catch {
    return new Map();
  }
}

export function sharedFiles(env: NodeJS.ProcessEnv, home = os.homedir()) {
  return {
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'),
    config: env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'),
  };
}

// What kind of credentials a profile holds, or undefined when it holds none.
function profileKind(settings: Map<string, string>): string | undefined {
  if (settings.has('aws_access_key_id')) return 'static keys';
  const from = settings.get('credential_source');
  if (from === 'Ec2InstanceMetadata') return 'instance';
  if (from) return `role ${settings.get('role_arn') ?? '?'} from ${from}`;
  if (settings.has('role_arn')) return `role ${settings.get('role_arn')}`;
  if (settings.has('sso_session') || settings.has('sso_start_url')) return 'SSO';
  if (settings.has('credential_process')) return 'credential_process';
  if (settings.has('web_identity_token_file')) return 'web identity';
  return undefined;
}

function fromProfile(name: string, env: NodeJS.ProcessEnv, home?: string) {
  const files = sharedFiles(env, home);
  const merged = new Map([
    ...(readIni(files.config, true).get(name) ?? []),
    ...(readIni(files.credentials, false).get(name) ?? []),
  ]);
  return { files, exists: merged.size > 0, kind: profileKind(merged) };
}

function profileSource(name: string, env: NodeJS.ProcessEnv, home?: string): CredentialSource {
  const found = fromProfile(name, env, home);
  const where = `${found.files.credentials}, ${found.files.config}`;
  if (!found.exists) {
    const detail = `AWS_PROFILE=${name} names no profile in ${where}`;
    return { kind: 'none', detail, usable: false };
  }
  if (!found.kind) {
    const detail = `profile ${name} holds no credentials (${where})`;
    return { kind: 'none', detail, usable: false };
  }
  if (found.kind === 'instance') return instanceSource(env, `profile ${name} defers to it`);
  return { kind: 'profile', detail: `profile ${name} (${found.kind})`, usable: true };
}

function instanceSource(env: NodeJS.ProcessEnv, why: string): CredentialSource {
  const disabled = (env.AWS_EC2_METADATA_DISABLED ?? 'false').toLowerCase() !== 'false';
  if (disabled) {
    return {
      kind: 'none',
      detail: `none found (env keys, AWS_PROFILE, default profile, web identity, container;` +
        ` instance metadata is disabled by AWS_EC2_METADATA_DISABLED)${why ? `; ${why}` : ''}`,
      usable: false,
    };
  }
  return {
    kind: 'instance',
    detail: 'only an instance role could supply them; doctor does not query instance metadata',
    usable: false,
  };
}

export function findCredentialSource(env = process.env, home?: string): CredentialSource {
  if (env.AWS_PROFILE) return profileSource(env.AWS_PROFILE, env, home);
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const session = env.AWS_SESSION_TOKEN ? ', with a session token' : '';
    const detail = `environment variables AWS_ACCESS_KEY_ID${session}`;
    return { kind: 'env', detail, usable: true };
  }
  const fallback = fromProfile('default', env, home);
  if (fallback.kind && fallback.kind !== 'instance') {
    return { kind: 'profile', detail: `profile default (${fallback.kind})`, usable: true };
  }
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) {
    return { kind: 'web-identity', detail: `web identity for ${env.AWS_ROLE_ARN}`, usable: true };
  }
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    return { kind: 'container', detail: 'container credentials endpoint', usable: true };
  }
  const half = env.AWS_ACCESS_KEY_ID
    ? 'AWS_ACCESS_KEY_ID is set without AWS_SECRET_ACCESS_KEY'
    : '';
  return instanceSource(env, half);
}

export function credentialCheck(source: CredentialSource, env = process.env): CheckResult {
  const name = 'credentials';
  if (source.kind === 'instance') {
    return warnResult(name, source.detail, 'run doctor where AWS_PROFILE or env keys are set');
  }
  if (!source.usable) {
    return fail(name, source.detail, 'set AWS_PROFILE to a configured profile, or export ' +
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }
  if (source.kind === 'profile' && env.AWS_ACCESS_KEY_ID) {
    return warnResult(name, `${source.detail}; AWS_ACCESS_KEY_ID is set too and is ignored`,
      'unset AWS_PROFILE or the AWS_ACCESS_KEY_ID pair so one source is meant');
  }
  return ok(name, source.detail);
}
