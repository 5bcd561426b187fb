import { InvalidOptionsError } from '../errors.js';
import type { OpenAIEmbedderOptions } from './openai/index.js';
import type { TransformersEmbedderOptions } from './transformers/index.js';
import type { Embedder } from './types.js';
import type { UseLiteOptions } from './use-lite/index.js';

/** Options by embedder family (the part of an embedder id before `:`). */
export interface EmbedderOptionsByName {
  'use-lite': UseLiteOptions;
  'use-lite-exact': Omit<UseLiteOptions, 'exact'>;
  openai: OpenAIEmbedderOptions;
  transformers: Omit<TransformersEmbedderOptions, 'model'> & { model?: string };
}

/** An embedder family name. */
export type EmbedderName = keyof EmbedderOptionsByName;

/**
 * What `createEmbedder` accepts: an id string (`use-lite`, `openai`, `openai:<model>`,
 * `transformers:<folder or hub id>`), or an object with that `id` and the family's options.
 */
export type EmbedderSpec =
  | string
  | ({ id: 'use-lite' } & UseLiteOptions)
  | ({ id: 'use-lite-exact' } & Omit<UseLiteOptions, 'exact'>)
  | ({ id: 'openai' | `openai:${string}` } & OpenAIEmbedderOptions)
  | ({ id: 'transformers' | `transformers:${string}` } & EmbedderOptionsByName['transformers']);

interface EmbedderEntry {
  /** How the id is written, for error messages. */
  usage: string;
  /** What follows `name:` in the id: not allowed, optional, or required. */
  argument: 'none' | 'optional' | 'required';
  create(argument: string | undefined, options: Record<string, unknown>): Embedder | Promise<Embedder>;
}

const EMBEDDERS: Readonly<Record<EmbedderName, EmbedderEntry>> = Object.freeze({
  'use-lite': {
    usage: 'use-lite',
    argument: 'none',
    // Each family is imported when first used: loading tfjs or onnxruntime costs seconds.
    create: async (_argument: string | undefined, options: Record<string, unknown>) =>
      (await import('./use-lite/index.js')).createUseLiteEmbedder(options as UseLiteOptions),
  },
  'use-lite-exact': {
    usage: 'use-lite-exact',
    argument: 'none',
    create: async (_argument: string | undefined, options: Record<string, unknown>) =>
      (await import('./use-lite/index.js')).createUseLiteEmbedder({ ...(options as UseLiteOptions), exact: true }),
  },
  openai: {
    usage: 'openai[:<model>]',
    argument: 'optional',
    create: async (argument: string | undefined, options: Record<string, unknown>) =>
      (await import('./openai/index.js')).createOpenAIEmbedder({ ...(options as OpenAIEmbedderOptions), ...(argument ? { model: argument } : {}) }),
  },
  transformers: {
    usage: 'transformers:<folder or hub id>',
    argument: 'required',
    create: async (argument: string | undefined, options: Record<string, unknown>) => {
      const { createTransformersEmbedder } = await import('./transformers/index.js');
      // The embedder reports `transformers:<model>#cls` for [CLS] pooling: accept that id back.
      const pooling = argument?.match(/#(mean|cls)$/)?.[1] as 'mean' | 'cls' | undefined;
      const model = pooling ? argument!.slice(0, -pooling.length - 1) : argument;
      return createTransformersEmbedder({
        ...(options as TransformersEmbedderOptions),
        ...(model ? { model } : {}),
        ...(pooling ? { pooling } : {}),
      });
    },
  },
});

/** The embedder families, default first. */
export const EMBEDDER_NAMES: readonly EmbedderName[] = Object.freeze(Object.keys(EMBEDDERS) as EmbedderName[]);

/** The embedder used when none is named. */
export const DEFAULT_EMBEDDER = 'use-lite';

function invalid(detail: string): InvalidOptionsError {
  const valid = EMBEDDER_NAMES.map((name) => EMBEDDERS[name].usage).join(', ');
  return new InvalidOptionsError('embedder', `✖ ${detail}. Valid embedders: ${valid}.`);
}

/**
 * Builds an embedder from its id (the same id it reports and that weights record):
 *
 * - `use-lite` (default): Universal Sentence Encoder lite, 512-d, offline (int16 WebAssembly forward pass).
 * - `use-lite-exact`: the same model run by its float32 tfjs graph (the reference; reports the id `use-lite`).
 * - `openai` or `openai:<model>`: OpenAI embeddings (`text-embedding-3-small`, 1536-d, by default)
 *   through the `openai` client; options `apiKey`, `baseURL`, `client`, `batchSize`, ...
 * - `transformers:<folder or hub id>`: a feature-extraction model through `@huggingface/transformers`.
 *
 * `createEmbedder({ id: 'openai', apiKey, baseURL })` passes options. An unknown id throws
 * `InvalidOptionsError` listing the valid ones; bad options throw it with the schema's report.
 */
export async function createEmbedder(spec: EmbedderSpec = DEFAULT_EMBEDDER): Promise<Embedder> {
  let id: unknown;
  let options: Record<string, unknown> = {};
  if (typeof spec === 'string') id = spec;
  else if (typeof spec === 'object' && spec !== null) {
    ({ id, ...options } = spec as { id: unknown });
  } else throw invalid(`expected an embedder id string or an object with an \`id\`, got ${spec === null ? 'null' : typeof spec}`);
  if (typeof id !== 'string' || id.trim() === '') throw invalid('the embedder `id` must be a non-empty string');
  const separator = id.indexOf(':');
  const name = (separator < 0 ? id : id.slice(0, separator)).trim().toLowerCase();
  const argument = separator < 0 ? undefined : id.slice(separator + 1).trim() || undefined;
  if (!Object.hasOwn(EMBEDDERS, name)) throw invalid(`unknown embedder "${id}"`);
  const entry = EMBEDDERS[name as EmbedderName];
  if (entry.argument === 'none' && separator >= 0) throw invalid(`"${name}" takes nothing after ":" (got "${id}")`);
  if (entry.argument === 'required' && argument === undefined && typeof options.model !== 'string') {
    throw invalid(`"${name}" needs a model: write "${entry.usage}"`);
  }
  return entry.create(argument, options);
}
