import { fileURLToPath } from 'node:url';
import { loadProfile, serializeProfile } from '../../reference-service/model-server/profiles.ts';
import { dockerClient, reapOrphanContainers } from './container-docker.ts';
import { ensureAppImage, resolveBaseImages } from './container-images.ts';
import { type ContainerStackOptionsInput, parseContainerStackOptions } from './container-options.ts';
import { ContainerStack, type ContainerStackHandle } from './container-stack.ts';

export type { ContainerStackOptionsInput } from './container-options.ts';
export type { ContainerStackHandle } from './container-stack.ts';

const repoRootDefault = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Starts Redis (AOF), the tools service, M model servers (the simulator, or real TGI on GPUs), N
 * agent replicas and HAProxy, each a container on the host network at a port picked here, and
 * resolves once the agents answer /readyz through HAProxy. Same control API as the local stack;
 * stop() removes every container (found by label). See docs/architecture.md.
 */
export async function startContainerStack(
  input: ContainerStackOptionsInput = {},
): Promise<ContainerStackHandle> {
  const options = parseContainerStackOptions(input);
  const profile = loadProfile(options.profile);
  const client = await dockerClient();
  const docker = client.container.dockerode;
  const reaped = await reapOrphanContainers(docker);
  if (reaped.length > 0)
    options.onProgress?.(`removed containers left by a dead harness: ${reaped.join(', ')}`);
  const bases = await resolveBaseImages(docker, options.images);
  const app = await ensureAppImage(docker, {
    repoRoot: options.repoRoot ?? repoRootDefault,
    nodeBase: bases.node,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const stack = new ContainerStack(options, docker, bases, app, {
    name: profile.name,
    tensorParallel: profile.tensorParallel,
    loadTimeSec: profile.loadTimeSec,
    json: options.profile.endsWith('.json') ? serializeProfile(profile) : null,
  });
  await stack.allocate();
  try {
    await stack.start();
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack.handle();
}
