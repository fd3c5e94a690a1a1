// Publishes a verified AWS build: copies its AMI to every target region in parallel, tags AMIs
// and snapshots, shares them, reads the sharing back, and records the outcome in the manifest.
// Any failure or signal removes the copies this run made (unless keepPartial).
import { AwsError, InterruptedError } from '../errors.js';
import { info, warn } from '../log.js';
import type { BuildManifest, PublishRecord } from '../manifest-types.js';
import type { Publish } from '../spec/types.js';
import { copyBudgetSeconds } from './copy-wait.js';
import { describeImage, TAG_BUILD, TAG_IMAGE, TAG_SOURCE } from './image-ops.js';
import { loadManifest, recordPublish } from './manifest-io.js';
import type { Sharing } from './permissions.js';
import {
  assertPublishable,
  checkTargetRegions,
  imageSizeGiB,
  type SourceAmi,
} from './publish-checks.js';
import { AFTERMATH, recordedAmis, recordFailure } from './publish-rollback.js';
import { assertUsableRegions } from './regions.js';
import { prepareRegion, shareRegion, type RegionOutcome, type Run } from './publish-run.js';

export type { RegionOutcome } from './publish-run.js';

export interface PublishRequest {
  image: string;
  manifestFile: string;
  /** The spec's publish section. */
  publish: Publish;
  /** Overrides publish.regions. */
  regions?: string[];
  assumeUnblocked?: boolean;
  keepPartial?: boolean;
  signal?: AbortSignal;
}

export interface PublishOutcome {
  record: PublishRecord;
  regions: RegionOutcome[];
  /** Public AMIs this account had in each region before publishing (public only). */
  publicCounts: Record<string, number>;
}

// Every region runs the step to an end; the first failure stops the others at their next wait.
async function eachRegion<T, R>(run: Run, items: T[], step: (item: T) => Promise<R>) {
  let firstError: unknown;
  const settled = await Promise.allSettled(
    items.map((item) =>
      step(item).catch((error: unknown) => {
        firstError ??= error;
        run.stop.abort();
        throw error;
      }),
    ),
  );
  if (firstError) throw firstError;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}

// Copies everywhere first, sharing after: a signal during the copy wait leaves nothing shared.
async function publishAll(run: Run, regions: string[], signal?: AbortSignal) {
  try {
    const ready = await eachRegion(run, regions, (region) => prepareRegion(run, region));
    return await eachRegion(run, ready, (result) => shareRegion(run, result));
  } catch (error) {
    if (signal?.aborted) throw new InterruptedError('publish interrupted by a signal');
    throw error;
  }
}

function ourTags(request: PublishRequest, manifest: BuildManifest, source: SourceAmi) {
  return {
    ...request.publish.tags,
    [TAG_IMAGE]: request.image,
    [TAG_BUILD]: manifest.build_id,
    [TAG_SOURCE]: `${source.region}/${source.imageId}`,
  };
}

function sharingOf(publish: Publish): Sharing {
  return {
    public: publish.public,
    accounts: publish.accounts ?? [],
    organizations: publish.organizations ?? [],
  };
}

// Everything checked before the first copy: eligibility, the source, every target region.
async function prepare(request: PublishRequest) {
  const manifest = await loadManifest(request.manifestFile);
  const sharing = sharingOf(request.publish);
  const source = assertPublishable(manifest, sharing.public);
  const regions = [...new Set(request.regions ?? request.publish.regions)];
  await assertUsableRegions(regions, 'publish', source.region);
  const sourceImage = await describeImage(source.region, source.imageId, 'publish');
  if (!sourceImage) {
    const message = `the bake's AMI ${source.imageId} no longer exists in ${source.region}`;
    throw new AwsError(message, { code: 'SourceGone', hint: `bake ${request.image} again` });
  }
  const publicCounts = await checkTargetRegions({
    regions,
    source: sourceImage,
    goingPublic: sharing.public,
    sharedWithAccounts: sharing.accounts.length > 0,
    assumeUnblocked: request.assumeUnblocked ?? false,
  });
  const copies = regions.filter((r) => !manifest.amis?.[r]).length;
  const budget = copyBudgetSeconds(imageSizeGiB(sourceImage), copies);
  info(`publish ${request.image} build ${manifest.build_id} to ${regions.join(', ')}` +
    ` (budget ${budget}s)`);
  const run: Run = {
    manifest, source, sourceImage, sharing,
    tags: ourTags(request, manifest, source),
    deadline: Date.now() + budget * 1000,
    stop: new AbortController(),
    created: [],
    kept: [],
    sharedKept: [],
  };
  return { run, regions, publicCounts };
}

export async function publishBuild(request: PublishRequest): Promise<PublishOutcome> {
  const { run, regions, publicCounts } = await prepare(request);
  const forward = () => run.stop.abort();
  request.signal?.addEventListener('abort', forward, { once: true });
  if (request.signal?.aborted) run.stop.abort();
  try {
    const outcomes = await publishAll(run, regions, request.signal);
    const at = new Date().toISOString();
    const record: PublishRecord = {
      status: 'published', at, public: run.sharing.public, amis: recordedAmis(run, outcomes),
    };
    await recordPublish(request.manifestFile, record);
    return { record, regions: outcomes, publicCounts };
  } catch (error) {
    await recordFailure(run, request.manifestFile, request.keepPartial ?? false, error).then(
      (record) => info(`publish ${request.image}: ${AFTERMATH[record.status]}`),
      (recordError: unknown) => warn(`could not record the failed publish: ${String(recordError)}`),
    );
    throw error;
  } finally {
    request.signal?.removeEventListener('abort', forward);
  }
}
