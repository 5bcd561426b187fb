/**
 * Options of the Python RouteLLM that routellm does not take, each with what to use instead: a
 * config copied from the original fails with a pointer, not only "Unrecognized key".
 */
export const PYTHON_ONLY_OPTIONS: Readonly<Record<string, string>> = Object.freeze({
  checkpoint_path: 'weights are a folder: `weightsDir` (written by `routellm train`; default the shipped weights); bert\'s ONNX mode takes `model`, causal_llm `modelPath` or `baseURL` + `model`',
  arena_battle_datasets: 'sw_ranking reads its battles from `weightsDir`; build one with `routellm train sw_ranking --data <battles.jsonl>`',
  arena_embedding_datasets: 'sw_ranking stores its battle embeddings in `weightsDir` (see `routellm train sw_ranking`)',
  strong_model: '`strongModel`',
  weak_model: '`weakModel`',
  num_tiers: '`numTiers`',
  score_threshold: '`scoreThreshold`',
  special_tokens: 'causal_llm reads the labels [[1]]..[[5]] from the model\'s tokenizer',
  system_message: 'causal_llm uses its own classifier prompt',
  classifier_message: 'causal_llm uses its own classifier prompt',
  hidden_size: 'the weights folder records its shape',
  text_dim: 'the weights folder records its shape',
  num_models: 'the weights folder records its models',
  use_proj: 'the weights folder records its shape',
});

/** A hint for the Python-only keys among `keys`, or undefined when there are none. */
export function pythonOptionsHint(keys: readonly string[]): string | undefined {
  const known = keys.filter((key) => Object.hasOwn(PYTHON_ONLY_OPTIONS, key));
  if (known.length === 0) return undefined;
  const lines = known.map((key) => `  ${key}: an option of the Python RouteLLM; here: ${PYTHON_ONLY_OPTIONS[key]}`);
  return `${lines.join('\n')}\n  Migrating from Python: see docs/from-python.md in the routellm package.`;
}
