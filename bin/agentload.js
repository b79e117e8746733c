#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx: no build step between `npm ci` and `npm run loadtest`.
import { register } from 'tsx/esm/api';

register();
await import('../harness/cli/main.ts');
