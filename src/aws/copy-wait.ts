// Waiting for AMI copies: a time budget that grows with image size and region count, polls
// that a signal can cut short, and one progress line per region on stderr when state changes.
import type { Image } from '@aws-sdk/client-ec2';
import { AwsError, InterruptedError } from '../errors.js';
import { info } from '../log.js';
import { describeImage } from './image-ops.js';

/**
 * Copies run in parallel, but AWS queues them per account, so each extra region adds time;
 * bigger images copy slower. AMIBAKE_PUBLISH_BUDGET_SECONDS overrides the estimate.
 */
export function copyBudgetSeconds(sizeGiB: number, copies: number, env = process.env): number {
  const override = Number(env.AMIBAKE_PUBLISH_BUDGET_SECONDS);
  if (Number.isFinite(override) && override > 0) return override;
  return 600 + 60 * sizeGiB + 180 * Math.max(0, copies - 1);
}

/** Seconds between polls; AMIBAKE_PUBLISH_POLL_SECONDS for tests. */
export function pollSeconds(env = process.env): number {
  const value = Number(env.AMIBAKE_PUBLISH_POLL_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : 15;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new InterruptedError('interrupted while waiting for AMI copies'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError('interrupted while waiting for AMI copies'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface WaitOptions {
  region: string;
  imageId: string;
  /** Epoch milliseconds after which the wait fails. */
  deadline: number;
  signal?: AbortSignal;
}

/** Polls until the image is available; a failed, vanished or late copy throws. */
export async function waitAvailable(options: WaitOptions): Promise<Image> {
  const { region, imageId } = options;
  const started = Date.now();
  let last = '';
  for (;;) {
    await sleep(pollSeconds() * 1000, options.signal);
    const image = await describeImage(region, imageId, 'publish');
    const state = image?.State ?? 'gone';
    const elapsed = Math.round((Date.now() - started) / 1000);
    if (state !== last) info(`publish ${region}: ${imageId} ${state} after ${elapsed}s`);
    last = state;
    if (image && state === 'available') return image;
    if (!image || ['failed', 'invalid', 'deregistered', 'error'].includes(state)) {
      const reason = image?.StateReason?.Message ? `: ${image.StateReason.Message}` : '';
      const message = `copy ${imageId} in ${region} ended ${state}${reason}`;
      throw new AwsError(message, { code: 'CopyFailed' });
    }
    if (Date.now() > options.deadline) {
      const budget = Math.round((options.deadline - started) / 1000);
      const message = `copy ${imageId} in ${region} still ${state} after the ${budget}s budget`;
      throw new AwsError(message, {
        code: 'CopyTimedOut',
        hint: 'raise AMIBAKE_PUBLISH_BUDGET_SECONDS, or publish with --keep-partial, then again',
      });
    }
  }
}
