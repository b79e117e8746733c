import { dockerAvailability } from '../../../harness/stack/container-docker.ts';

/**
 * Container tests need a Docker engine. Outside CI a missing one skips them with the reason; with
 * REQUIRE_DOCKER=1 (CI, .ci/run) they run anyway and fail loudly.
 */
export interface DockerGate {
  /** True when the tests should be skipped. */
  skip: boolean;
  reason: string | null;
}

export async function dockerGate(what: string): Promise<DockerGate> {
  const availability = await dockerAvailability();
  if (availability.ok) return { skip: false, reason: null };
  const required = process.env.REQUIRE_DOCKER === '1';
  if (!required) {
    console.warn(
      `skipping ${what}: no Docker engine (${availability.reason}). ` +
        'Start one (eval "$(scripts/docker/start-dockerd.sh)" as root) or set REQUIRE_DOCKER=1 to fail instead.',
    );
  }
  return { skip: !required, reason: availability.reason };
}
