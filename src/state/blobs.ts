// A tiny key -> text store with conditional writes: the one primitive both state backends share.
import { StateError } from '../errors.js';

/** A stored value and the opaque version a conditional write compares against. */
export interface Blob {
  body: string;
  version: string;
}

/** `ifAbsent`: create only; `ifVersion`: replace only what was read at that version. */
export type WriteCondition = { ifAbsent: true } | { ifVersion: string };

export interface BlobStore {
  /** Where the blobs live, for messages: a directory or an s3:// URI. */
  readonly location: string;
  /** The full path or URI of one key, for messages. */
  describe(key: string): string;
  read(key: string): Promise<Blob | undefined>;
  /** Writes when the condition holds; returns the new version, or undefined when it did not. */
  write(key: string, body: string, condition?: WriteCondition): Promise<string | undefined>;
  /** Every key under a prefix ending in "/", recursively. */
  list(prefix: string): Promise<string[]>;
  /** The names one level below a prefix ending in "/" ("images/" -> ["db", "web"]). */
  children(prefix: string): Promise<string[]>;
  remove(key: string): Promise<void>;
}

// Keys are built from image names and build ids; refuse anything that could escape a prefix.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export function checkKeySegment(value: string, what: string): string {
  if (!SEGMENT.test(value) || value.includes('..')) {
    throw new StateError(
      `${what} "${value}" may hold only letters, digits, ".", "_", ":" and "-"`,
    );
  }
  return value;
}
