import type { CommandModule } from '../command.ts';

/**
 * Name-keyed registry of CLI commands, one file each. A command file declares its options and
 * dynamically imports its implementation inside the action, so one command's heavy imports
 * (vega, testcontainers) cost nothing to the others.
 */
export const commandLoaders: Record<string, () => Promise<CommandModule>> = {
  'model-server': () => import('./model-server.ts'),
  agent: () => import('./agent.ts'),
  tools: () => import('./tools.ts'),
  stack: () => import('./stack.ts'),
  plan: () => import('./plan.ts'),
  run: () => import('./run.ts'),
  suite: () => import('./suite.ts'),
  export: () => import('./export.ts'),
  ingest: () => import('./ingest.ts'),
  merge: () => import('./merge.ts'),
  deploy: () => import('./deploy.ts'),
  report: () => import('./report.ts'),
  gate: () => import('./gate.ts'),
};
