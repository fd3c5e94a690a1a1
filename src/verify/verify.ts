// Verifies one bake: boots its artifact (a local VM in snapshot mode, or one EC2 instance),
// runs the spec's smoke tests and the secrets audit, and records the outcome in the build's
// manifest. Local disks are audited offline as baked, since the verification boot adds its
// own SSH key and host keys; EC2 instances are audited live with this boot's traces set aside.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LoadedSpec, TargetName } from '../spec/types.js';
import type { AuditFinding, BuildManifest, SmokeResult, Verification } from '../manifest-types.js';
import { InterruptedError, VerifyError } from '../errors.js';
import { info, warn } from '../log.js';
import { readManifest, updateManifest } from '../bake/manifest.js';
import { recordVerification } from '../bake/record-state.js';
import type { StateStore } from '../state/store.js';
import { LOCAL_ARTIFACTS } from '../bake/bake-local.js';
import { withVm } from '../local/vm.js';
import { detectAccelerator } from '../local/accel.js';
import { defaultRecipe } from '../local/recipe.js';
import { sshUserFor } from '../render/source-amazon.js';
import type { BuildKey } from '../local/keys.js';
import { runSmokeTests, testsFor } from './smoke.js';
import type { HttpProbe } from './smoke-checks.js';
import { auditDisk } from './audit-disk.js';
import { auditGuest, auditSeverity, type AuditSeverity } from './audit.js';
import { withAwsInstance } from './aws-boot.js';

export interface VerifyOptions {
  loaded: LoadedSpec;
  target: TargetName;
  manifestFile: string;
  signal?: AbortSignal;
  /** aws: where to launch; default AWS_REGION if the build has an AMI there, else the first. */
  region?: string;
  sshCidr?: string;
  sshHost?: string;
  sshPort?: number;
  /** aws: a key to launch with instead of a fresh one (tests with a stand-in SSH server). */
  key?: BuildKey;
  /** aws: audit this tree inside the guest instead of / (tests with a stand-in host). */
  auditRoot?: string;
  pollMs?: number;
  /** local: how long the VM may take to answer SSH; default 5 min. */
  sshTimeoutMs?: number;
  /** Where the outcome is recorded besides the manifest; default the default state store. */
  state?: StateStore;
}

export interface VerifyOutcome {
  verification: Verification;
  /** How the audit findings weigh: an error for a public image, a warning otherwise. */
  severity: AuditSeverity;
  manifest: BuildManifest;
}

interface Checked {
  results: SmokeResult[];
  audit: AuditFinding[];
}

export async function verifyBuild(opts: VerifyOptions): Promise<VerifyOutcome> {
  const manifest = await readManifest(opts.manifestFile);
  if (manifest.status !== 'succeeded') {
    const build = `build ${manifest.build_id} of ${manifest.image}`;
    const state =
      manifest.status === 'running' ? 'has not finished (status running)' : manifest.status;
    const why = manifest.reason ? ` (${manifest.reason})` : '';
    throw new VerifyError(`${build} ${state}${why}: it has no artifact to verify`, {
      hint: `verify a build that baked successfully: amibake verify ${manifest.image} --build ID` +
        ` (amibake builds ${manifest.image} lists them)`,
    });
  }
  const drift = specDrift(manifest, opts.loaded);
  if (drift) warn(drift);
  const checked = await (opts.target === 'local' ? verifyLocal : verifyAws)(opts, manifest)
    .catch((error: unknown) => {
      throw interruptedInstead(error, opts.signal, `verification of ${manifest.build_id}`);
    });
  const verification: Verification = {
    status: checked.results.every((r) => r.passed) ? 'passed' : 'failed',
    at: new Date().toISOString(),
    results: checked.results,
    audit: checked.audit,
  };
  const written = await updateManifest(opts.manifestFile, (m) => {
    m.verification = verification;
  });
  // `builds`, `outdated` and publish read the store: a re-verification must reach it too.
  await recordVerification(written, opts.state);
  const severity = auditSeverity(checked.audit, opts.loaded.spec.publish?.public ?? false);
  return { verification, severity, manifest: written };
}

// Verification runs the spec as it is now (its smoke tests, memory), which may not be the one
// the build was baked from; that is allowed (a new smoke test for an old build) but said.
export function specDrift(manifest: BuildManifest, loaded: LoadedSpec): string | undefined {
  if (manifest.spec_hash === loaded.hash) return undefined;
  return `${path.basename(loaded.file)} changed since build ${manifest.build_id} was baked: ` +
    'it is verified with the smoke tests and settings the spec has now';
}

// Ctrl-C kills the tools a check was running (qemu-img, debugfs, ssh), which then fail in
// their own words; the user asked for the stop, so that is what is reported (exit 130).
function interruptedInstead(error: unknown, signal: AbortSignal | undefined, what: string) {
  if (!signal?.aborted || error instanceof InterruptedError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new InterruptedError(`${what} interrupted (${why})`, {
    hint: 'the artifact is unchanged and its verification was not recorded; run verify again',
  });
}

function localArtifacts(manifestFile: string) {
  const dir = path.dirname(manifestFile);
  const files = {
    disk: path.join(dir, LOCAL_ARTIFACTS.disk),
    kernel: path.join(dir, LOCAL_ARTIFACTS.kernel),
    initrd: path.join(dir, LOCAL_ARTIFACTS.initrd),
  };
  for (const file of Object.values(files)) {
    if (!existsSync(file)) {
      throw new VerifyError(`artifact ${file} is missing`, { hint: 'bake the image again' });
    }
  }
  return { dir, ...files };
}

async function verifyLocal(opts: VerifyOptions, manifest: BuildManifest): Promise<Checked> {
  const local = opts.loaded.spec.targets.local;
  if (!local) throw new VerifyError(`${opts.loaded.name} declares no local target`);
  const files = localArtifacts(opts.manifestFile);
  const audit = await auditDisk(files.disk);
  const tests = testsFor(opts.loaded.spec.smoke ?? [], 'local');
  const httpPorts = tests.flatMap((t) => (t.type === 'http' ? [Number(t.port ?? '80')] : []));
  const ports = [...new Set(httpPorts)];
  const accel = await detectAccelerator();
  info(`verify: booting ${manifest.image} build ${manifest.build_id} (${accel.accelerator})`);
  const results = await withVm(
    {
      disk: files.disk,
      kernel: files.kernel,
      initrd: files.initrd,
      snapshot: true,
      // The boot's key is installed for the base's build user (see base-customise.sh).
      user: defaultRecipe(local.release).user,
      accelerator: accel.accelerator,
      memory: local.memory,
      cpus: local.cpus,
      forwards: ports.map((guest) => ({ guest })),
      serialLog: path.join(files.dir, 'verify-serial.log'),
      sshTimeoutMs: opts.sshTimeoutMs,
    },
    (vm) =>
      runSmokeTests(tests, vm.exec, {
        target: 'local',
        httpProbe: hostProbe(vm.ports),
        signal: opts.signal,
      }),
  );
  return { results, audit };
}

// The same request from the host through the VM's forwarded port, as a user would make it.
function hostProbe(ports: Record<number, number>): HttpProbe {
  return async (port, urlPath) => {
    const hostPort = ports[port];
    if (!hostPort) throw new Error(`guest port ${port} is not forwarded`);
    const response = await fetch(`http://127.0.0.1:${hostPort}${urlPath}`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: await response.text() };
  };
}

function pickRegion(amis: Record<string, string>, wanted?: string): string {
  const regions = Object.keys(amis);
  if (wanted) {
    if (!amis[wanted]) {
      throw new VerifyError(`this build made no AMI in ${wanted} (it has: ${regions.join(', ')})`);
    }
    return wanted;
  }
  const fromEnv = process.env.AWS_REGION;
  return fromEnv && amis[fromEnv] ? fromEnv : regions[0];
}

async function verifyAws(opts: VerifyOptions, manifest: BuildManifest): Promise<Checked> {
  const aws = opts.loaded.spec.targets.aws;
  if (!aws) throw new VerifyError(`${opts.loaded.name} declares no aws target`);
  const amis = manifest.amis ?? {};
  if (Object.keys(amis).length === 0) {
    throw new VerifyError(`build ${manifest.build_id} recorded no AMI`);
  }
  const region = pickRegion(amis, opts.region);
  const tests = testsFor(opts.loaded.spec.smoke ?? [], 'aws');
  return withAwsInstance(
    {
      region,
      imageId: amis[region],
      instanceType: aws.instance_type,
      sshUser: sshUserFor(aws),
      sshCidr: opts.sshCidr,
      sshHost: opts.sshHost,
      sshPort: opts.sshPort,
      key: opts.key,
      image: manifest.image,
      buildId: manifest.build_id,
      signal: opts.signal,
      pollMs: opts.pollMs,
    },
    async (guest) => {
      // Audit before the smoke tests, so nothing they run can add to or hide what was baked.
      const audit = await auditGuest(guest.exec, {
        root: opts.auditRoot,
        live: { injectedKeys: [guest.publicKey] },
      });
      const results = await runSmokeTests(tests, guest.exec, {
        target: 'aws',
        signal: opts.signal,
      });
      return { results, audit };
    },
  );
}
