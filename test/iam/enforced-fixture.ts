// Test fixture: one moto_server with IAM enforcement for a test file. Set-up runs as moto's
// admin (enforcement off); then a user holding a given policy is made, enforcement turned on
// and this process's SDK clients switched to that user's keys.
import { resetClients } from '../../src/aws/clients.js';
import { forgetCallerAccount } from '../../src/aws/identity.js';
import { buildPolicy } from '../../src/iam/policy.js';
import { POLICY_PHASES, type PolicyDocument } from '../../src/iam/policy-types.js';
import { motoEnv, startMoto, type MotoServer, type SeedImage } from '../helpers/moto.js';
import { useTempDirs, type Dirs } from '../aws/aws-build-fixture.js';
import { createUserWithPolicy, setEnforcement, type AccessKey } from './moto-iam.js';

export const BASE: SeedImage = {
  id: 'ami-0de0000000000b01',
  name: 'debian-12-amd64-20240101-1600',
  owner: '136693071363',
  arch: 'x86_64',
};

/** What a made-up access key id looks like to AWS. */
export const BAD_KEY: AccessKey = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

/** The generated policy for every phase, Resource "*": moto checks actions only. */
export function fullPolicy(): PolicyDocument {
  return buildPolicy({ phases: POLICY_PHASES, scope: 'account' });
}

export interface Enforced {
  moto: MotoServer;
  dirs: Dirs;
  /** Back to moto's admin with enforcement off and an empty moto. */
  reset(): Promise<void>;
  /** Back to moto's admin with enforcement off, keeping what exists. */
  asAdmin(): Promise<void>;
  /** Makes a user holding `policy`, enforces, and makes this process act as that user. */
  enforceAs(policy: PolicyDocument, user?: string): Promise<AccessKey>;
  /** Enforces and makes this process use `key` as it is. */
  enforceWith(key: AccessKey): Promise<void>;
  /** The environment a child amibake needs to act as `key`. */
  envFor(key: AccessKey): NodeJS.ProcessEnv;
}

function useKey(key: AccessKey): void {
  process.env.AWS_ACCESS_KEY_ID = key.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = key.secretAccessKey;
  resetClients();
  forgetCallerAccount();
}

export async function startEnforced(): Promise<Enforced> {
  const moto = await startMoto({ images: [BASE] });
  Object.assign(process.env, motoEnv(moto.endpoint), { AMIBAKE_PUBLISH_POLL_SECONDS: '0.2' });
  const dirs = await useTempDirs();
  process.env.AMIBAKE_CACHE_DIR = `${dirs.root}/cache`;
  const admin = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const enforceWith = async (key: AccessKey) => {
    await setEnforcement(moto.endpoint, true);
    useKey(key);
  };
  return {
    moto,
    dirs,
    async reset() {
      await setEnforcement(moto.endpoint, false);
      await moto.reset();
      useKey(admin);
    },
    async asAdmin() {
      await setEnforcement(moto.endpoint, false);
      useKey(admin);
    },
    async enforceAs(policy, user = 'amibake-ci') {
      const key = await createUserWithPolicy(moto.endpoint, user, policy);
      await enforceWith(key);
      return key;
    },
    enforceWith,
    envFor: (key) => ({
      ...process.env,
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    }),
  };
}

/** Waits into the next second: moto stamps CreationDate to the second. */
export async function nextSecond(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
}
