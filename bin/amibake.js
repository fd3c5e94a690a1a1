#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so no build step stands between an edit and a run.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every client that its 2027 releases need Node 22; amibake pins its SDK
// in package-lock.json and targets Node 20, so the notice is said once in the README instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../src/cli/main.ts');
