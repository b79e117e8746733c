import { AgentloadError } from '../../harness/errors.ts';

/** The model server could not listen on its port (at start or after a simulated restart). */
export class ModelServerListenError extends AgentloadError {
  readonly code = 'AL_MODEL_SERVER_LISTEN';
}
