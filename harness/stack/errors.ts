import { AgentloadError } from '../errors.ts';

/** A control call the stack cannot carry out: an unknown component, removing the last replica, ... */
export class StackControlError extends AgentloadError {
  readonly code = 'AL_STACK_CONTROL';
}
