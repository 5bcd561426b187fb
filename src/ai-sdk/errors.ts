import { RouteLLMError } from '../errors.js';

/** An optional peer package that a part of routellm needs is not installed (e.g. `ai` for `routellm/ai-sdk`). */
export class MissingPeerDependencyError extends RouteLLMError {
  constructor(
    /** The npm package to install. */
    readonly packageName: string,
    /** What needs it, e.g. `routellm/ai-sdk`. */
    readonly neededBy: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${neededBy} needs the package "${packageName}", which is not installed: npm install ${packageName}`, {
      code: 'missing_peer_dependency',
      ...options,
    });
  }
}
