/**
 * Battles added to a loaded sw_ranking index while it serves (`addBattles`): checked against the
 * index's models, embedded, kept in a bounded first-in-first-out list, and joined to the loaded
 * index as extra prompt rows. The tiers stay those of the loaded index: no retraining.
 */
import { canonicalModelName } from '../../data/models.js';
import { InvalidInputError } from '../../errors.js';
import { quantizeRows, WINNER_VALUES, type BattleIndex, type BattleInput } from './battle-index.js';

/** One added battle: its prompt's embedding and the battle's codes. */
export interface AddedBattle {
  embedding: Float32Array;
  modelA: number;
  modelB: number;
  winner: number;
  weight: number;
}

/** Checks battles against the index's models: canonical names it knows, two different models, a known winner, a weight >= 0. */
export function checkAddedBattles(index: BattleIndex, battles: readonly BattleInput[]): Omit<AddedBattle, 'embedding'>[] {
  if (!Array.isArray(battles)) throw new InvalidInputError('battles', 'an array of battles ({ prompt, modelA, modelB, winner })');
  return battles.map((battle, row) => {
    if (typeof battle !== 'object' || battle === null) throw new InvalidInputError(`battles[${row}]`, 'a battle object');
    if (typeof battle.prompt !== 'string' || battle.prompt.trim() === '') throw new InvalidInputError(`battles[${row}].prompt`, 'a non-empty string');
    const model = (name: unknown, field: string) => {
      const position = typeof name === 'string' ? index.models.indexOf(canonicalModelName(name)) : -1;
      if (position < 0) throw new InvalidInputError(`battles[${row}].${field}`, `a model of the index (${index.models.join(', ')}), got ${JSON.stringify(name)}`);
      return position;
    };
    const modelA = model(battle.modelA, 'modelA');
    const modelB = model(battle.modelB, 'modelB');
    if (modelA === modelB) throw new InvalidInputError(`battles[${row}]`, 'two different models');
    const winner = WINNER_VALUES.indexOf(battle.winner as (typeof WINNER_VALUES)[number]);
    if (winner < 0) throw new InvalidInputError(`battles[${row}].winner`, `one of ${WINNER_VALUES.join(', ')}, got ${JSON.stringify(battle.winner)}`);
    const weight = battle.weight ?? 1;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) throw new InvalidInputError(`battles[${row}].weight`, 'a finite number >= 0');
    return { modelA, modelB, winner, weight };
  });
}

/**
 * The loaded index with the added battles appended, each with a prompt row of its own. int8 codes
 * stay int8 (the added rows quantized the same way); float32 rows are joined when first read.
 */
export function joinAddedBattles(base: BattleIndex, added: readonly AddedBattle[]): BattleIndex {
  if (added.length === 0) return base;
  const dimension = base.embedder.dimension;
  const count = base.battleWinner.length + added.length;
  const grow = <T extends Uint32Array | Uint8Array | Float32Array>(from: T, make: (n: number) => T, tail: (battle: AddedBattle, n: number) => number): T => {
    const out = make(count);
    out.set(from);
    added.forEach((battle, n) => (out[from.length + n] = tail(battle, n)));
    return out;
  };
  const addedRows = new Float32Array(added.length * dimension);
  added.forEach((battle, n) => addedRows.set(battle.embedding, n * dimension));
  // Fields named one by one: spreading `base` would read its lazy float32 rows of an int8 index.
  const { embedder, models, modelRatings, modelTiers, numTiers, sources } = base;
  const joined = {
    embedder,
    models,
    modelRatings,
    modelTiers,
    numTiers,
    sources,
    promptCount: base.promptCount + added.length,
    battlePrompt: grow(base.battlePrompt, (n) => new Uint32Array(n), (_, n) => base.promptCount + n),
    battleModelA: grow(base.battleModelA, (n) => new Uint32Array(n), (battle) => battle.modelA),
    battleModelB: grow(base.battleModelB, (n) => new Uint32Array(n), (battle) => battle.modelB),
    battleWinner: grow(base.battleWinner, (n) => new Uint8Array(n), (battle) => battle.winner),
    battleWeight: grow(base.battleWeight ?? new Float32Array(base.battleWinner.length).fill(1), (n) => new Float32Array(n), (battle) => battle.weight),
  } as BattleIndex;
  if (base.promptCodes) {
    const codes = new Int8Array((base.promptCount + added.length) * dimension);
    codes.set(base.promptCodes);
    codes.set(quantizeRows(addedRows, dimension), base.promptCodes.length);
    joined.promptCodes = codes;
  }
  let embeddings: Float32Array | undefined;
  // The float32 rows of an int8 index are 4x its memory: joined only if a float32 index asks for them.
  Object.defineProperty(joined, 'promptEmbeddings', {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!embeddings) {
        embeddings = new Float32Array((base.promptCount + added.length) * dimension);
        embeddings.set(base.promptEmbeddings);
        embeddings.set(addedRows, base.promptCount * dimension);
      }
      return embeddings;
    },
  });
  return joined;
}
