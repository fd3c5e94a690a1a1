// One line of text per staleness reason and per outdated entry, for logs and tables.
import type { OutdatedEntry, StaleReason } from './outdated.js';

const NOT_RECORDED = '(not recorded)';
const short = (hash: string) => hash.slice(0, 12);
const old = (hash: string | null) => (hash ? short(hash) : NOT_RECORDED);

/** A message of several lines (a preflight lists one problem per line) as one table cell. */
export function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}

export function describeReason(reason: StaleReason): string {
  switch (reason.kind) {
    case 'never_built':
      return 'never built';
    case 'last_failed': {
      const why = reason.reason ? ` (${oneLine(reason.reason)})` : '';
      return `last build ${reason.build_id} ${reason.status}${why}`;
    }
    case 'spec_changed':
      return `spec changed ${short(reason.old)} -> ${short(reason.new)}`;
    case 'base_changed':
      return `base changed in ${reason.region}: ${reason.old ?? NOT_RECORDED} -> ${reason.new}`;
    case 'base_recipe_changed':
      return `base recipe changed ${old(reason.old)} -> ${short(reason.new)}`;
    case 'not_verified':
      return reason.verification === 'failed'
        ? `last build ${reason.build_id} failed verification`
        : `last build ${reason.build_id} was never verified`;
  }
}

export function describeEntry(entry: OutdatedEntry): string {
  if (entry.error) return `check failed: ${oneLine(entry.error)}`;
  return entry.stale ? entry.reasons.map(describeReason).join('; ') : 'up to date';
}
