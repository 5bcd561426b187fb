import type { ConversationTurn } from './prompt.js';

/** Where the rating model runs: an endpoint or a local ONNX model. */
export interface RatingBackend {
  /**
   * Rating distributions (index 0 = rating 1, summing to 1) for conversations, in input order;
   * `undefined` for an answer with none of the five labels.
   */
  rate(conversations: readonly (readonly ConversationTurn[])[]): Promise<(Float64Array | undefined)[]>;
  /** Frees the model or aborts requests in flight. */
  dispose(): Promise<void>;
}
