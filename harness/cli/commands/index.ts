import type { CommandModule } from '../command.ts';

/**
 * Name-keyed registry of CLI commands, one file each. A command file declares its options and
 * dynamically imports its implementation inside the action, so one command's heavy imports
 * (vega, testcontainers) cost nothing to the others.
 */
export const commandLoaders: Record<string, () => Promise<CommandModule>> = {
  // 'model-server': () => import('./model-server.ts'),
};
