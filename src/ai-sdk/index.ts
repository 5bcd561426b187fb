/**
 * `routellm/ai-sdk`: routellm routers inside the Vercel AI SDK. `createRoutedModel()` returns a
 * language model for `generateText`, `streamText` and the rest of the SDK that sends each call to
 * a strong or a weak model, or to one of N models by a cost-quality knob.
 */
import { createRequire } from 'node:module';
import { MissingPeerDependencyError } from '../errors.js';

// `ai` is an optional peer: fail here, with the package's name, rather than at first use.
try {
  createRequire(import.meta.url).resolve('ai');
} catch (cause) {
  throw new MissingPeerDependencyError('ai', 'routellm/ai-sdk', { cause });
}

export { createRoutedModel } from './routed-model.js';
export type { RoutedLanguageModel, RoutedModelControls, RoutingDecision } from './routed-model.js';
export type { ModelChoiceControls, ModelChoiceDecision, NModelRoutedLanguageModel } from './model-choice.js';
export { nModelOptionsSchema, routedModelOptionsSchema, SPECIFICATION_VERSIONS } from './options.js';
export type { NModelRoutedModelOptions, RoutableLanguageModel, RoutedModelOptions } from './options.js';
export { FallbackFailedError, MissingPeerDependencyError } from '../errors.js';
export type { FailedAttempt } from '../errors.js';
