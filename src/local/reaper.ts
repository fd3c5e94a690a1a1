// Process-wide teardown registry: on exit, SIGINT or SIGTERM every registered child is ended.
import { warn } from '../log.js';

export interface Teardown {
  // Runs inside a signal handler; may wait a little for the child to go.
  onSignal(): Promise<void>;
  // Runs inside process 'exit': must be synchronous (kill, unlink), nothing is awaited there.
  onExit(): void;
}

const live = new Set<Teardown>();
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };
// A hung teardown must not keep Ctrl-C from ending the process.
const SIGNAL_TEARDOWN_LIMIT_MS = 20_000;
let installed = false;
let tearingDown = false;

export function registerTeardown(teardown: Teardown): () => void {
  live.add(teardown);
  install();
  return () => {
    live.delete(teardown);
    if (live.size === 0) uninstall();
  };
}

export function liveTeardowns(): number {
  return live.size;
}

function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  if (tearingDown) return;
  tearingDown = true;
  const all = [...live].map((t) =>
    t.onSignal().catch((e: unknown) => warn(`teardown: ${String(e)}`)),
  );
  const limit = new Promise((resolve) => setTimeout(resolve, SIGNAL_TEARDOWN_LIMIT_MS).unref());
  void Promise.race([Promise.all(all), limit]).then(() => {
    for (const t of live) t.onExit();
    live.clear();
    uninstall();
    // Someone else listening decides how to exit; otherwise exit as a shell would report it.
    if (process.listenerCount(signal) === 0) process.exit(SIGNAL_EXIT[signal]);
    tearingDown = false;
  });
}

const handleSigint = (): void => onSignal('SIGINT');
const handleSigterm = (): void => onSignal('SIGTERM');
const handleExit = (): void => {
  for (const t of live) {
    try {
      t.onExit();
    } catch {
      // Nothing can be reported reliably while the process exits; carry on with the rest.
    }
  }
  live.clear();
};

function install(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', handleSigint);
  process.on('SIGTERM', handleSigterm);
  process.on('exit', handleExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('SIGINT', handleSigint);
  process.off('SIGTERM', handleSigterm);
  process.off('exit', handleExit);
}
