import { defineRouter } from '../definition.js';
import { causalLLMRouterOptionsSchema } from './options.js';

/** The `causal_llm` router: a causal LM rates how well the weak model would answer. */
export const causalLLMRouter = defineRouter({
  name: 'causal_llm',
  aliases: ['causal-llm'],
  summary: 'a causal LM rates the prompt 1-5 (an OpenAI-compatible endpoint or a local ONNX model)',
  optionsSchema: causalLLMRouterOptionsSchema,
  create: async (options) => (await import('./index.js')).createCausalLLMRouter(options as object),
  scoresModelPair: false,
  weights: false,
  untrainable: 'causal_llm has no training in this library (point it at a model server or ONNX folder instead)',
});
