// Where the project's inputs live and where amibake writes; every path can be moved by env.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function imagesDir(): string {
  return process.env.AMIBAKE_IMAGES_DIR || path.join(repoRoot, 'images');
}

export function templatesDir(): string {
  return path.join(repoRoot, 'templates');
}

// Where spec steps' scripts are looked up; AMIBAKE_PROVISIONERS_DIR lets tests use their own.
export function provisionersDir(): string {
  return process.env.AMIBAKE_PROVISIONERS_DIR || path.join(repoRoot, 'provisioners');
}


export function buildRoot(): string {
  return process.env.AMIBAKE_BUILD_DIR || path.join(repoRoot, 'build');
}

// build/<image>/<target>/
export function buildDir(image: string, target: string): string {
  return path.join(buildRoot(), image, target);
}

export function cacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return process.env.AMIBAKE_CACHE_DIR || path.join(xdg, 'amibake');
}

// Downloaded sources by sha256; apart from cacheDir() so tests can isolate it cheaply.
export function sourceCacheDir(): string {
  return process.env.AMIBAKE_SOURCE_CACHE || path.join(cacheDir(), 'sources');
}
