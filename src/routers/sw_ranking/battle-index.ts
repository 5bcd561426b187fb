/**
 * The battle index of the sw_ranking router: battles between models, each pointing at the
 * embedding of its prompt (each distinct prompt is stored once), the model list, and the tier of
 * every model. Built from battles with an embedder, saved as a weights folder (src/weights-format:
 * `manifest.json` + checksummed binaries), loaded back with full validation.
 */
import path from 'node:path';
import { canonicalModelName } from '../../data/models.js';
import type { Embedder } from '../../embedders/types.js';
import { InvalidInputError, WeightsError } from '../../errors.js';
import { asFloat32, readWeights, writeWeights, type DataSourceInfo, type TensorData, type WeightsManifest } from '../../weights-format/weights.js';
import { ELO_INITIAL } from '../bradley-terry.js';
import { computeTiers } from '../tiers.js';

/** Router name written in the manifest. */
export const SW_RANKING_ROUTER = 'sw_ranking';
/** Battle outcomes, by code (the position in this list). */
export const WINNER_VALUES = Object.freeze(['model_a', 'model_b', 'tie', 'tie (bothbad)'] as const);
/** Default number of tiers (the original's `num_tiers`). */
export const DEFAULT_NUM_TIERS = 10;
/** Version of the battle-index layout inside the weights folder (`extra.indexVersion`). */
export const BATTLE_INDEX_VERSION = 1;

/** A battle as input to `buildBattleIndex` (the `Battle` of src/data fits). */
export interface BattleInput {
  prompt: string;
  modelA: string;
  modelB: string;
  /** `model_a`, `model_b`, `tie` or `tie (bothbad)`. */
  winner: string;
  /** Source label, recorded with counts in the manifest. Default `battles`. */
  source?: string;
  /** Relative weight of the battle (multiplies the similarity weight). Default 1. */
  weight?: number;
}

/** One source in the index: how many battles and distinct prompts came from it. */
export interface BattleSourceInfo {
  name: string;
  battles: number;
  prompts: number;
  [key: string]: unknown;
}

/** The battle index in memory. */
export interface BattleIndex {
  embedder: { id: string; dimension: number };
  /** Canonical model names; battles refer to them by position. */
  models: string[];
  /** Unweighted Elo rating of each model over all battles. */
  modelRatings: Float64Array;
  /** Tier of each model (0 = strongest). */
  modelTiers: Int32Array;
  /** Number of tiers asked for (the tiers used are at most this many). */
  numTiers: number;
  promptCount: number;
  /**
   * `promptCount x dimension` row-major prompt embeddings (direction is what counts). For an index
   * loaded from int8 storage this is computed from `promptCodes` on first read (4x their memory).
   */
  promptEmbeddings: Float32Array;
  /**
   * The int8 codes of the prompt embeddings as loaded, when the index was stored as int8 (one code
   * per value, each row's own scale). The router scores from these when present (int8 kernel);
   * they are not updated when `promptEmbeddings` is replaced, so drop them when replacing it.
   */
  promptCodes?: Int8Array;
  /** Per battle: prompt row, model A, model B, winner code (index in `WINNER_VALUES`). */
  battlePrompt: Uint32Array;
  battleModelA: Uint32Array;
  battleModelB: Uint32Array;
  battleWinner: Uint8Array;
  /** Per-battle weights; undefined when all are 1. */
  battleWeight?: Float32Array;
  sources: BattleSourceInfo[];
}

/** Options of `buildBattleIndex`. */
export interface BuildBattleIndexOptions {
  /** The embedder for the prompts (its id and dimension are recorded). */
  embedder: Embedder;
  /** Tiers to split the models into. Default 10. */
  numTiers?: number;
  /** Prompts per `embed()` call. Default 256. */
  batchSize?: number;
  /** Called after each embedding batch with (done, total) distinct prompts. */
  onProgress?: (done: number, total: number) => void;
}

function describeRow(index: number, battle: BattleInput): string {
  return `battles[${index}]${battle.source ? ` (source "${battle.source}")` : ''}`;
}

/**
 * Checks battles and turns them into an index: canonical model names, distinct prompts embedded
 * once, unweighted model ratings and tiers. Throws `InvalidInputError` naming the row for an
 * unknown winner, an empty or missing model name, a battle of a model against itself, a bad
 * weight, and for an embedder that returns vectors of the wrong size.
 */
export async function buildBattleIndex(battles: readonly BattleInput[], options: BuildBattleIndexOptions): Promise<BattleIndex> {
  if (!Array.isArray(battles) || battles.length === 0) throw new InvalidInputError('battles', 'a non-empty array of battles');
  const { embedder } = options;
  const dimension = embedder.dimension;
  if (!Number.isInteger(dimension) || dimension <= 0) throw new InvalidInputError('embedder.dimension', 'a positive integer');
  const models: string[] = [];
  const modelIndex = new Map<string, number>();
  const prompts: string[] = [];
  const promptIndex = new Map<string, number>();
  const count = battles.length;
  const battlePrompt = new Uint32Array(count);
  const battleModelA = new Uint32Array(count);
  const battleModelB = new Uint32Array(count);
  const battleWinner = new Uint8Array(count);
  const battleWeight = new Float32Array(count);
  let weighted = false;
  const sourceStats = new Map<string, { battles: number; prompts: Set<number> }>();

  const modelOf = (name: unknown, field: string, index: number, battle: BattleInput): number => {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidInputError(`${describeRow(index, battle)}.${field}`, `a model name, got ${JSON.stringify(name) ?? 'undefined'}`);
    }
    const canonical = canonicalModelName(name);
    let position = modelIndex.get(canonical);
    if (position === undefined) {
      position = models.length;
      models.push(canonical);
      modelIndex.set(canonical, position);
    }
    return position;
  };

  battles.forEach((battle, index) => {
    if (typeof battle !== 'object' || battle === null) throw new InvalidInputError(`battles[${index}]`, 'a battle object');
    if (typeof battle.prompt !== 'string') throw new InvalidInputError(`${describeRow(index, battle)}.prompt`, 'a string');
    const winner = WINNER_VALUES.indexOf(battle.winner as (typeof WINNER_VALUES)[number]);
    if (winner < 0) {
      throw new InvalidInputError(
        `${describeRow(index, battle)}.winner`,
        `one of ${WINNER_VALUES.map((value) => JSON.stringify(value)).join(', ')}, got ${JSON.stringify(battle.winner) ?? 'undefined'}`,
      );
    }
    const a = modelOf(battle.modelA, 'modelA', index, battle);
    const b = modelOf(battle.modelB, 'modelB', index, battle);
    if (a === b) throw new InvalidInputError(describeRow(index, battle), `two different models, got "${models[a]}" twice`);
    const weight = battle.weight ?? 1;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new InvalidInputError(`${describeRow(index, battle)}.weight`, 'a finite number >= 0');
    }
    if (weight !== 1) weighted = true;
    let prompt = promptIndex.get(battle.prompt);
    if (prompt === undefined) {
      prompt = prompts.length;
      prompts.push(battle.prompt);
      promptIndex.set(battle.prompt, prompt);
    }
    battlePrompt[index] = prompt;
    battleModelA[index] = a;
    battleModelB[index] = b;
    battleWinner[index] = winner;
    battleWeight[index] = weight;
    const source = battle.source ?? 'battles';
    let stats = sourceStats.get(source);
    if (!stats) sourceStats.set(source, (stats = { battles: 0, prompts: new Set() }));
    stats.battles++;
    stats.prompts.add(prompt);
  });

  const batchSize = options.batchSize ?? 256;
  const promptEmbeddings = new Float32Array(prompts.length * dimension);
  for (let start = 0; start < prompts.length; start += batchSize) {
    const batch = prompts.slice(start, start + batchSize);
    const vectors = await embedder.embed(batch);
    if (!(vectors instanceof Float32Array) || vectors.length !== batch.length * dimension) {
      throw new InvalidInputError(
        `embeddings from embedder "${embedder.id}" for prompts ${start}..${start + batch.length - 1}`,
        `${batch.length * dimension} floats (${batch.length} x ${dimension}), got ${(vectors as { length?: number })?.length}`,
      );
    }
    promptEmbeddings.set(vectors, start * dimension);
    options.onProgress?.(start + batch.length, prompts.length);
  }

  const index: BattleIndex = {
    embedder: { id: embedder.id, dimension },
    models,
    modelRatings: new Float64Array(models.length),
    modelTiers: new Int32Array(models.length),
    numTiers: options.numTiers ?? DEFAULT_NUM_TIERS,
    promptCount: prompts.length,
    promptEmbeddings,
    battlePrompt,
    battleModelA,
    battleModelB,
    battleWinner,
    ...(weighted ? { battleWeight } : {}),
    sources: [...sourceStats].map(([name, stats]) => ({ name, battles: stats.battles, prompts: stats.prompts.size })),
  };
  const tiers = computeTiers(index, index.numTiers);
  index.modelRatings = tiers.ratings;
  index.modelTiers = tiers.tiers;
  return index;
}

/** How prompt embeddings are stored. */
export type EmbeddingStorage = 'int8' | 'float32';

/**
 * Symmetric int8 codes of each row, scaled so the row's largest magnitude is 127. Only directions
 * matter (the router uses cosine similarity), so the row scale is not kept.
 */
export function quantizeRows(data: Float32Array, dimension: number): Int8Array {
  const codes = new Int8Array(data.length);
  for (let start = 0; start < data.length; start += dimension) {
    let max = 0;
    for (let j = 0; j < dimension; j++) max = Math.max(max, Math.abs(data[start + j]));
    const scale = max > 0 ? 127 / max : 0;
    for (let j = 0; j < dimension; j++) codes[start + j] = Math.round(data[start + j] * scale);
  }
  return codes;
}

/** Options of `saveBattleIndex`. */
export interface SaveBattleIndexOptions {
  /** `int8` (default: 4x smaller, see the bench for its effect on scores) or `float32`. */
  embeddings?: EmbeddingStorage;
  /** Extra data description for the manifest (e.g. decontamination counts, data folder). */
  data?: Record<string, unknown>;
  /** Free text for the manifest: how it was made. */
  notes?: string;
  /** Extra hyperparameters to record. */
  hyperparameters?: Record<string, unknown>;
}

/** Writes the index as a weights folder (`manifest.json`, `prompt_embeddings.bin`, `battles.bin`, ...). */
export async function saveBattleIndex(dir: string, index: BattleIndex, options: SaveBattleIndexOptions = {}): Promise<WeightsManifest> {
  const storage = options.embeddings ?? 'int8';
  const count = index.battleWinner.length;
  const table = new Float32Array(count * 4);
  for (let n = 0; n < count; n++) {
    table[n * 4] = index.battlePrompt[n];
    table[n * 4 + 1] = index.battleModelA[n];
    table[n * 4 + 2] = index.battleModelB[n];
    table[n * 4 + 3] = index.battleWinner[n];
  }
  const embeddingShape = [index.promptCount, index.embedder.dimension];
  const tensors: Record<string, TensorData> = {
    prompt_embeddings:
      storage === 'int8'
        ? { data: quantizeRows(index.promptEmbeddings, index.embedder.dimension), shape: embeddingShape, scale: 1 / 127 }
        : { data: index.promptEmbeddings, shape: embeddingShape },
    battles: { data: table, shape: [count, 4] },
  };
  if (index.battleWeight) tensors.battle_weights = { data: index.battleWeight, shape: [count] };
  const sources: DataSourceInfo[] = index.sources.map((source) => ({ ...source, examples: source.battles }));
  return writeWeights(dir, {
    router: SW_RANKING_ROUTER,
    embedder: index.embedder,
    models: index.models,
    hyperparameters: { numTiers: index.numTiers, ...options.hyperparameters },
    data: { ...options.data, sources, battles: count, prompts: index.promptCount },
    notes: options.notes,
    tensors,
    extra: {
      indexVersion: BATTLE_INDEX_VERSION,
      embeddingStorage: storage,
      battleColumns: ['prompt', 'model_a', 'model_b', 'winner'],
      winnerCodes: [...WINNER_VALUES],
      tiers: Object.fromEntries(index.models.map((model, i) => [model, index.modelTiers[i]])),
      ratings: Object.fromEntries(index.models.map((model, i) => [model, Math.round(index.modelRatings[i] * 1e4) / 1e4])),
    },
  });
}

/** Options of `loadBattleIndex`. */
export interface LoadBattleIndexOptions {
  /** Refuse an index made with another embedder (id and dimension). */
  embedder?: { id: string; dimension: number };
}

/**
 * Reads and validates a battle index folder. Throws `WeightsError`: `missing` (folder, manifest or
 * a binary), `corrupt` (truncated or altered binary, a battle row pointing at a prompt or model
 * that does not exist, an unknown winner code, a model without a tier), `mismatch` (another
 * router, embedder, or an embedding width that is not the manifest's dimension).
 */
export async function loadBattleIndex(dir: string, options: LoadBattleIndexOptions = {}): Promise<BattleIndex> {
  const loaded = await readWeights(dir, { router: SW_RANKING_ROUTER, ...(options.embedder ? { embedder: options.embedder } : {}) });
  const { manifest, tensors } = loaded;
  const manifestFile = path.join(dir, 'manifest.json');
  const embedder = manifest.embedder;
  if (!embedder || typeof embedder.id !== 'string' || !Number.isInteger(embedder.dimension) || embedder.dimension <= 0) {
    throw new WeightsError('corrupt', manifestFile, 'the manifest records no embedder (id and dimension)');
  }
  const models = manifest.models;
  if (!Array.isArray(models) || models.length === 0 || models.some((model) => typeof model !== 'string' || model === '')) {
    throw new WeightsError('corrupt', manifestFile, 'the manifest has no model list');
  }
  const extra = (manifest.extra ?? {}) as { indexVersion?: number; tiers?: Record<string, number>; ratings?: Record<string, number> };
  if (extra.indexVersion !== BATTLE_INDEX_VERSION) {
    throw new WeightsError('mismatch', manifestFile, `battle index version ${extra.indexVersion}, this library reads version ${BATTLE_INDEX_VERSION}`);
  }
  const embeddings = tensors.prompt_embeddings;
  const table = tensors.battles;
  const tensorFile = (name: string) => path.join(dir, manifest.tensors.find((entry) => entry.name === name)?.file ?? `${name}.bin`);
  if (!embeddings) throw new WeightsError('missing', dir, 'no tensor "prompt_embeddings" in the manifest');
  if (!table) throw new WeightsError('missing', dir, 'no tensor "battles" in the manifest');
  if (embeddings.shape.length !== 2 || embeddings.shape[1] !== embedder.dimension) {
    throw new WeightsError(
      'mismatch',
      tensorFile('prompt_embeddings'),
      `embeddings of shape [${embeddings.shape.join(', ')}], but the manifest's embedder "${embedder.id}" is ${embedder.dimension}-d`,
    );
  }
  if (table.shape.length !== 2 || table.shape[1] !== 4) {
    throw new WeightsError('corrupt', tensorFile('battles'), `battle table of shape [${table.shape.join(', ')}], expected [N, 4]`);
  }
  const promptCount = embeddings.shape[0];
  const count = table.shape[0];
  const battlePrompt = new Uint32Array(count);
  const battleModelA = new Uint32Array(count);
  const battleModelB = new Uint32Array(count);
  const battleWinner = new Uint8Array(count);
  const rows = table.data;
  const check = (value: number, limit: number, row: number, what: string) => {
    if (!Number.isInteger(value) || value < 0 || value >= limit) {
      const detail =
        what === 'winner'
          ? `unknown winner code ${value} (expected 0..3: ${WINNER_VALUES.join(', ')})`
          : `${what} index ${value} is not in the ${what === 'prompt' ? `${promptCount} prompts` : `model list (${models.length} models)`}`;
      throw new WeightsError('corrupt', tensorFile('battles'), `battle row ${row}: ${detail}`);
    }
    return value;
  };
  for (let n = 0; n < count; n++) {
    battlePrompt[n] = check(rows[n * 4], promptCount, n, 'prompt');
    battleModelA[n] = check(rows[n * 4 + 1], models.length, n, 'model');
    battleModelB[n] = check(rows[n * 4 + 2], models.length, n, 'model');
    battleWinner[n] = check(rows[n * 4 + 3], WINNER_VALUES.length, n, 'winner');
  }
  let battleWeight: Float32Array | undefined;
  if (tensors.battle_weights) {
    battleWeight = asFloat32(tensors.battle_weights);
    if (battleWeight.length !== count) {
      throw new WeightsError('corrupt', tensorFile('battle_weights'), `${battleWeight.length} weights for ${count} battles`);
    }
    const bad = battleWeight.findIndex((weight) => !Number.isFinite(weight) || weight < 0);
    if (bad >= 0) throw new WeightsError('corrupt', tensorFile('battle_weights'), `battle row ${bad}: weight ${battleWeight[bad]} is not a finite number >= 0`);
  }
  const modelTiers = new Int32Array(models.length);
  const modelRatings = new Float64Array(models.length);
  models.forEach((model, i) => {
    const tier = extra.tiers?.[model];
    if (!Number.isInteger(tier) || (tier as number) < 0) throw new WeightsError('corrupt', manifestFile, `model "${model}" has no tier in extra.tiers`);
    modelTiers[i] = tier as number;
    modelRatings[i] = Number(extra.ratings?.[model] ?? ELO_INITIAL);
  });
  const numTiers = Number(manifest.hyperparameters.numTiers ?? DEFAULT_NUM_TIERS);
  const sources = (manifest.data.sources ?? []).map((source) => ({
    ...source,
    name: String(source.name),
    battles: Number(source.battles ?? source.examples ?? 0),
    prompts: Number(source.prompts ?? 0),
  }));
  const index: BattleIndex = {
    embedder: { id: embedder.id, dimension: embedder.dimension },
    models: [...models],
    modelRatings,
    modelTiers,
    numTiers,
    promptCount,
    promptEmbeddings: embeddings.data instanceof Float32Array ? embeddings.data : new Float32Array(0),
    battlePrompt,
    battleModelA,
    battleModelB,
    battleWinner,
    ...(battleWeight ? { battleWeight } : {}),
    sources,
  };
  if (embeddings.data instanceof Int8Array) {
    // The router computes similarities on the codes directly; the float copy is made only if read,
    // and then replaces the accessor with a plain property (hot loops read it without a call).
    index.promptCodes = embeddings.data;
    const settle = (value: Float32Array) =>
      Object.defineProperty(index, 'promptEmbeddings', { value, writable: true, enumerable: true, configurable: true });
    Object.defineProperty(index, 'promptEmbeddings', {
      enumerable: true,
      configurable: true,
      get: () => {
        const value = asFloat32(embeddings);
        settle(value);
        return value;
      },
      set: settle,
    });
  }
  return index;
}
