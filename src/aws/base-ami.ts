// Resolves a spec's AWS base to one AMI per region: the newest image of the pinned owners
// matching the name filter and the machine's shape, or the AMI an SSM parameter names.
import { DescribeImagesCommand, type Filter, type Image } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { AwsError } from '../errors.js';
import type { Architecture, AwsBase } from '../spec/types.js';
import { send, type Phase } from './actions.js';
import { ec2Client, ssmClient } from './clients.js';
import { callerAccount } from './identity.js';

export interface ResolvedAmi {
  imageId: string;
  name: string;
  creationDate: string;
  ownerId: string;
}

export interface BaseAmiRequest {
  base: AwsBase;
  arch: Architecture;
  region: string;
}

export interface ResolveOptions {
  phase?: Phase;
  abortSignal?: AbortSignal;
}

type Calls = { describeImages: number; getParameter: number };

export interface BatchResolution {
  /** In request order: the AMI, or the error that request alone met. */
  results: (ResolvedAmi | AwsError)[];
  calls: Calls;
}

function shapeFilters(req: BaseAmiRequest): Filter[] {
  return [
    { Name: 'architecture', Values: [req.arch] },
    { Name: 'virtualization-type', Values: [req.base.virtualization] },
    { Name: 'root-device-type', Values: [req.base.root_device] },
    { Name: 'state', Values: ['available'] },
  ];
}

function describeWhat(req: BaseAmiRequest): string {
  const { base } = req;
  const source = base.ssm_parameter
    ? `SSM parameter ${base.ssm_parameter}`
    : `name "${base.name_filter}"`;
  return `${source}, ${req.arch}, ${base.virtualization}, root ${base.root_device}`;
}

function noMatch(req: BaseAmiRequest, why: string): AwsError {
  const note = req.base.availability_note;
  return new AwsError(
    `no base AMI in ${req.region} from owners ${req.base.owners.join(',')}` +
      ` for ${describeWhat(req)}: ${why}`,
    { code: 'BaseAmiNotFound', ...(note ? { hint: note } : {}) },
  );
}

async function ownerMatches(image: Image, owners: string[], phase: Phase): Promise<boolean> {
  if (image.OwnerId && owners.includes(image.OwnerId)) return true;
  if (image.ImageOwnerAlias && owners.includes(image.ImageOwnerAlias)) return true;
  return owners.includes('self') && image.OwnerId === (await callerAccount(phase));
}

// Newest CreationDate wins; equal dates fall back to the image id so the choice is stable.
export function newest(images: Image[]): Image | undefined {
  return [...images].sort((a, b) => {
    const byDate = (b.CreationDate ?? '').localeCompare(a.CreationDate ?? '');
    return byDate !== 0 ? byDate : (b.ImageId ?? '').localeCompare(a.ImageId ?? '');
  })[0];
}

function toResolved(image: Image): ResolvedAmi {
  return {
    imageId: image.ImageId ?? '',
    name: image.Name ?? '',
    creationDate: image.CreationDate ?? '',
    ownerId: image.OwnerId ?? '',
  };
}

async function pick(req: BaseAmiRequest, images: Image[], phase: Phase): Promise<ResolvedAmi> {
  const chosen = newest(images);
  if (!chosen) throw noMatch(req, 'nothing matched');
  if (!(await ownerMatches(chosen, req.base.owners, phase))) {
    throw noMatch(req, `${chosen.ImageId} is owned by ${chosen.OwnerId}, not a pinned owner`);
  }
  return toResolved(chosen);
}

// The AMI id an SSM parameter holds; checked afterwards like any other candidate.
async function parameterValue(req: BaseAmiRequest, options: ResolveOptions, count?: Calls) {
  const name = req.base.ssm_parameter ?? '';
  if (count) count.getParameter += 1;
  const out = await send(ssmClient(req.region), new GetParameterCommand({ Name: name }), {
    phase: options.phase ?? 'bake',
    abortSignal: options.abortSignal,
  }).catch((error: unknown) => {
    if (error instanceof AwsError && error.code === 'ParameterNotFound') {
      throw noMatch(req, 'the parameter does not exist');
    }
    throw error;
  });
  const value = out.Parameter?.Value ?? '';
  if (!/^ami-[0-9a-f]+$/.test(value)) {
    throw noMatch(req, `the parameter holds "${value}", not an AMI id`);
  }
  return value;
}

// An image named by id must still have the shape the spec asks for.
function shapeProblem(req: BaseAmiRequest, image: Image): string | undefined {
  const wanted: [string, string | undefined, string][] = [
    ['architecture', image.Architecture, req.arch],
    ['virtualization', image.VirtualizationType, req.base.virtualization],
    ['root device', image.RootDeviceType, req.base.root_device],
  ];
  const wrong = wanted.find(([, actual, expected]) => actual !== expected);
  if (!wrong) return undefined;
  return `${image.ImageId} has ${wrong[0]} ${wrong[1] ?? 'unknown'}, not ${wrong[2]}`;
}

async function resolveBySsm(req: BaseAmiRequest, options: ResolveOptions, count?: Calls) {
  const phase = options.phase ?? 'bake';
  const imageId = await parameterValue(req, options, count);
  if (count) count.describeImages += 1;
  const describe = new DescribeImagesCommand({ ImageIds: [imageId] });
  const out = await send(ec2Client(req.region), describe, {
    phase,
    abortSignal: options.abortSignal,
  });
  const image = out.Images?.[0];
  if (!image) throw noMatch(req, `${imageId} (named by the parameter) does not exist`);
  if (!(await ownerMatches(image, req.base.owners, phase))) {
    throw noMatch(req, `${imageId} is owned by ${image.OwnerId}, not a pinned owner`);
  }
  const problem = shapeProblem(req, image);
  if (problem) throw noMatch(req, problem);
  return toResolved(image);
}

async function describeByFilter(req: BaseAmiRequest, options: ResolveOptions, count?: Calls) {
  if (!req.base.name_filter) {
    throw noMatch(req, 'the spec gives neither name_filter nor ssm_parameter');
  }
  if (count) count.describeImages += 1;
  const filters = [{ Name: 'name', Values: [req.base.name_filter] }, ...shapeFilters(req)];
  const out = await send(
    ec2Client(req.region),
    new DescribeImagesCommand({ Owners: req.base.owners, Filters: filters }),
    { phase: options.phase ?? 'bake', abortSignal: options.abortSignal },
  );
  return out.Images ?? ([] as Image[]);
}

export async function resolveBaseAmi(
  base: AwsBase,
  arch: Architecture,
  region: string,
  options: ResolveOptions = {},
): Promise<ResolvedAmi> {
  const req = { base, arch, region };
  if (base.ssm_parameter) return resolveBySsm(req, options);
  return pick(req, await describeByFilter(req, options), options.phase ?? 'bake');
}

function requestKey(req: BaseAmiRequest): string {
  const { base } = req;
  const source = base.ssm_parameter ? `ssm:${base.ssm_parameter}` : `name:${base.name_filter}`;
  const owners = [...base.owners].sort().join(',');
  return [req.region, owners, source, req.arch, base.virtualization, base.root_device].join('|');
}

/** Resolves many requests with one lookup per distinct (region, owners, filter, shape). */
export async function resolveBaseAmis(
  requests: BaseAmiRequest[],
  options: ResolveOptions = {},
): Promise<BatchResolution> {
  const calls = { describeImages: 0, getParameter: 0 };
  const distinct = new Map<string, Promise<ResolvedAmi>>();
  for (const req of requests) {
    const key = requestKey(req);
    if (distinct.has(key)) continue;
    const lookup = req.base.ssm_parameter
      ? resolveBySsm(req, options, calls)
      : describeByFilter(req, options, calls).then((images) =>
          pick(req, images, options.phase ?? 'bake'),
        );
    lookup.catch(() => undefined);
    distinct.set(key, lookup);
  }
  const results = await Promise.all(
    requests.map((req) =>
      (distinct.get(requestKey(req)) as Promise<ResolvedAmi>).catch((error: unknown) => {
        if (error instanceof AwsError) return error;
        throw error;
      }),
    ),
  );
  return { results, calls };
}
