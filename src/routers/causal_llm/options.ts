import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InvalidOptionsError } from '../../errors.js';
import { parseOptions } from '../../options.js';
import { DEFAULT_COMPLETION_FORMAT, DEFAULT_SYSTEM_PROMPT, DEFAULT_TEMPLATE, hasPromptSlot } from './prompt.js';

/** Options of the `causal_llm` router. */
export const causalLLMRouterOptionsSchema = z
  .object({
    /**
     * Where the model runs: `'endpoint'` (an OpenAI-compatible server) or `'local'` (an ONNX causal
     * LM through @huggingface/transformers). Default: `'local'` when `modelPath` is set, else
     * `'endpoint'` when `baseURL` is set (options first, then the environment variables below).
     */
    backend: z.enum(['endpoint', 'local']).optional(),
    /**
     * Endpoint backend: the server's base URL including `/v1`, e.g. `http://127.0.0.1:8000/v1`
     * (vLLM), `http://127.0.0.1:8080/v1` (llama.cpp), `http://127.0.0.1:11434/v1` (Ollama).
     * Default: env `ROUTELLM_CAUSAL_LLM_BASE_URL`.
     */
    baseURL: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Endpoint backend: the API key sent as a bearer token. Default: env
     * `ROUTELLM_CAUSAL_LLM_API_KEY`, else the placeholder `"no-key"` (local servers ignore it).
     * `OPENAI_API_KEY` is deliberately not read: it must not leak to a third-party endpoint.
     */
    apiKey: z.string().optional(),
    /** Endpoint backend: the model name the server serves. Required; default: env `ROUTELLM_CAUSAL_LLM_MODEL`. */
    model: z.string().min(1).optional(),
    /** Endpoint backend: `'chat'` (`/chat/completions`, default) or `'completions'` (`/completions`). */
    api: z.enum(['chat', 'completions']).default('chat'),
    /**
     * Local backend: a folder holding `config.json`, `tokenizer.json`, `tokenizer_config.json` and
     * `onnx/model.onnx` (or a Hugging Face model id, downloaded by transformers.js when online).
     * Default: env `ROUTELLM_CAUSAL_LLM_MODEL_PATH`.
     */
    modelPath: z.string().min(1).optional(),
    /** Local backend: which ONNX weights file to load (`fp32` = `model.onnx`, `q8` = `model_quantized.onnx`, ...). Default `'fp32'`. */
    dtype: z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']).default('fp32'),
    /** Local backend: prompts per forward pass (grouped by length). Default 8. */
    batchSize: z.number().int().min(1).max(256).default(8),
    /**
     * Local backend: longest prompt in tokens; a longer one keeps its first and last halves (the
     * instruction and the cue to answer) and drops the middle. Default 4096.
     */
    maxInputTokens: z.number().int().min(16).default(4096),
    /** The system instruction. Default: our own wording (`DEFAULT_SYSTEM_PROMPT`). Not with `systemPromptFile`. */
    systemPrompt: z.string().optional(),
    /** A UTF-8 file holding the system instruction (read once at construction). Not with `systemPrompt`. */
    systemPromptFile: z.string().min(1).optional(),
    /**
     * The user message template, with a `{question}` slot (the last user turn) and/or a
     * `{conversation}` slot (all turns as `User: ...`/`Assistant: ...`). Default: `DEFAULT_TEMPLATE`.
     * Not with `templateFile`.
     */
    template: z.string().optional(),
    /** A UTF-8 file holding the user template (read once at construction). Not with `template`. */
    templateFile: z.string().min(1).optional(),
    /**
     * Completions API (and local models without a chat template): how the system instruction and
     * the user message become one prompt, with `{system}` and `{user}` slots. Default
     * `'{system}\n\n{user}\n\nRating: '`.
     */
    completionFormat: z.string().default(DEFAULT_COMPLETION_FORMAT),
    /** The weak model is good enough when the rating is >= this (1-5). Default 4, as in RouteLLM. */
    scoreThreshold: z.number().int().min(1).max(5).default(4),
    /** Endpoint backend: timeout of one HTTP attempt in milliseconds. Default 30000. */
    timeoutMs: z.number().int().min(1).default(30_000),
    /** Endpoint backend: retries of a failed attempt (429, 5xx, timeouts, connection errors) by the openai client. Default 2. */
    maxRetries: z.number().int().min(0).max(10).default(2),
    /**
     * Endpoint backend, completions API only: prompts sent together in one request as a `prompt`
     * array (vLLM and OpenAI answer one choice per prompt, matched by `index`). Default 1.
     */
    promptsPerRequest: z.number().int().min(1).max(256).default(1),
    /** Endpoint backend: most requests in flight at once for this router. Default 8. */
    concurrency: z.number().int().min(1).max(1024).default(8),
    /** Endpoint backend: alternatives asked for per position (`top_logprobs`; completions `logprobs`). Default 20. */
    topLogprobs: z.number().int().min(1).max(20).default(20),
    /** Endpoint backend: tokens generated and examined for a label (`max_tokens`). Default 4. */
    maxTokens: z.number().int().min(1).max(32).default(4),
  })
  .strict();

/** What a user may pass to `createRouter('causal_llm', options)`. */
export type CausalLLMRouterOptions = z.input<typeof causalLLMRouterOptionsSchema>;

/** Options after defaults, files and environment variables are resolved. */
export interface ResolvedCausalLLMOptions {
  backend: 'endpoint' | 'local';
  baseURL?: string;
  apiKey: string;
  model?: string;
  api: 'chat' | 'completions';
  modelPath?: string;
  dtype: z.output<typeof causalLLMRouterOptionsSchema>['dtype'];
  batchSize: number;
  maxInputTokens: number;
  systemPrompt: string;
  template: string;
  completionFormat: string;
  scoreThreshold: number;
  timeoutMs: number;
  maxRetries: number;
  concurrency: number;
  promptsPerRequest: number;
  topLogprobs: number;
  maxTokens: number;
}

const SUBJECT = 'causal_llm router options';

/**
 * Validates options, reads template files and falls back to environment variables. Without a
 * model to call (no `baseURL`/`modelPath`, no `ROUTELLM_CAUSAL_LLM_BASE_URL`/`_MODEL_PATH`), throws
 * `InvalidOptionsError` naming the missing options.
 */
export function resolveCausalLLMOptions(
  options: unknown,
  environment: NodeJS.ProcessEnv = process.env,
): ResolvedCausalLLMOptions {
  const parsed = parseOptions(causalLLMRouterOptionsSchema, options, SUBJECT);
  const baseURL = parsed.baseURL ?? (environment.ROUTELLM_CAUSAL_LLM_BASE_URL || undefined);
  const modelPath = parsed.modelPath ?? (environment.ROUTELLM_CAUSAL_LLM_MODEL_PATH || undefined);
  const backend = parsed.backend ?? (parsed.modelPath ? 'local' : parsed.baseURL ? 'endpoint' : modelPath ? 'local' : 'endpoint');
  const model = parsed.model ?? (environment.ROUTELLM_CAUSAL_LLM_MODEL || undefined);

  if (backend === 'endpoint') {
    if (!baseURL) {
      throw new InvalidOptionsError(
        SUBJECT,
        'the causal_llm router needs a model to call: set `baseURL` (with `model`) for an OpenAI-compatible endpoint ' +
          'or `modelPath` for a local ONNX causal LM (or the environment variables ROUTELLM_CAUSAL_LLM_BASE_URL / ' +
          'ROUTELLM_CAUSAL_LLM_MODEL_PATH).',
      );
    }
    if (!/^https?:\/\//.test(baseURL)) {
      throw new InvalidOptionsError(SUBJECT, `\`baseURL\` must be an http(s) URL, got ${JSON.stringify(baseURL)}.`);
    }
    if (!model) {
      throw new InvalidOptionsError(
        SUBJECT,
        '`model` is required for the endpoint backend: the model name the server serves (or env ROUTELLM_CAUSAL_LLM_MODEL).',
      );
    }
  } else if (!modelPath) {
    throw new InvalidOptionsError(SUBJECT, '`modelPath` is required for the local backend (or env ROUTELLM_CAUSAL_LLM_MODEL_PATH).');
  }

  const systemPrompt = textOption(parsed.systemPrompt, parsed.systemPromptFile, 'systemPrompt') ?? DEFAULT_SYSTEM_PROMPT;
  const template = textOption(parsed.template, parsed.templateFile, 'template') ?? DEFAULT_TEMPLATE;
  if (!hasPromptSlot(template)) {
    throw new InvalidOptionsError(SUBJECT, 'the template must contain a `{question}` or `{conversation}` slot.');
  }
  if (!parsed.completionFormat.includes('{user}')) {
    throw new InvalidOptionsError(SUBJECT, '`completionFormat` must contain a `{user}` slot.');
  }

  return {
    backend,
    baseURL,
    apiKey: parsed.apiKey ?? (environment.ROUTELLM_CAUSAL_LLM_API_KEY || 'no-key'),
    model,
    api: parsed.api,
    modelPath,
    dtype: parsed.dtype,
    batchSize: parsed.batchSize,
    maxInputTokens: parsed.maxInputTokens,
    systemPrompt,
    template,
    completionFormat: parsed.completionFormat,
    scoreThreshold: parsed.scoreThreshold,
    timeoutMs: parsed.timeoutMs,
    maxRetries: parsed.maxRetries,
    concurrency: parsed.concurrency,
    promptsPerRequest: parsed.promptsPerRequest,
    topLogprobs: parsed.topLogprobs,
    maxTokens: parsed.maxTokens,
  };
}

function textOption(text: string | undefined, file: string | undefined, name: string): string | undefined {
  if (text !== undefined && file !== undefined) {
    throw new InvalidOptionsError(SUBJECT, `give \`${name}\` or \`${name}File\`, not both.`);
  }
  if (file === undefined) return text;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidOptionsError(SUBJECT, `cannot read \`${name}File\` ${JSON.stringify(file)}: ${(error as Error).message}`);
  }
}
