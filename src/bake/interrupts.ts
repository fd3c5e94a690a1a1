// Turns SIGINT/SIGTERM into an AbortSignal for the duration of some work, so a bake can stop
// Packer and record itself as interrupted instead of dying with a half-written state.
import { info } from '../log.js';
import { InterruptedError } from '../errors.js';

export async function withInterrupts<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      info(`${name} again: still cleaning up, please wait`);
      return;
    }
    info(`${name} received: stopping`);
    controller.abort(new Error(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// Checked between phases: a signal that arrived while nothing could be stopped ends the build here.
export function throwIfAborted(signal: AbortSignal | undefined, during: string): void {
  if (signal?.aborted) throw new InterruptedError(`interrupted during ${during}`);
}
