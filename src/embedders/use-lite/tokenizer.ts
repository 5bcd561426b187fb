/**
 * A SentencePiece unigram tokenizer for the USE-lite vocabulary (`vocab.json`: `[piece, score]`
 * pairs, where `▁` marks the start of a word).
 *
 * Text is normalised the way SentencePiece's `nmt_nfkc` rule with `remove_extra_whitespaces`
 * does: Unicode NFKC, control characters dropped, every run of whitespace (tabs and newlines
 * included) turned into one space, leading and trailing whitespace removed. Then a `▁` is put
 * in front and every space becomes `▁`, and the Viterbi algorithm picks the segmentation whose
 * pieces have the largest summed score. A character that no piece covers becomes the unknown
 * id (0); a run of unknown characters becomes one unknown id.
 *
 * Empty or whitespace-only text is the lone `▁` piece, so every text has at least one token.
 */

/** A `vocab.json` entry: the piece and its log-probability (some entries carry `null`, read as 0). */
export type VocabularyEntry = readonly [piece: string, score: number | null];

/** Word-start marker of SentencePiece. */
export const WORD_START = '\u2581';
/** Id of the unknown piece. */
export const UNKNOWN_ID = 0;
/** The first ids of the vocabulary are control symbols (`<unk>`, `<s>`, `</s>`, extras) that text never produces. */
const RESERVED_COUNT = 6;

interface TrieNode {
  children: Map<number, TrieNode>;
  id: number;
}

/** Options of `SentencePieceTokenizer.encode`. */
export interface EncodeOptions {
  /** Keep at most this many tokens (the start of the text). Default: no limit. */
  maxTokens?: number;
}

/** Viterbi SentencePiece segmentation over a fixed unigram vocabulary. */
export class SentencePieceTokenizer {
  private readonly root: TrieNode = { children: new Map(), id: -1 };
  private readonly scores: Float64Array;
  /** Length in code points of the longest piece. */
  readonly longestPiece: number;
  private readonly unknownScore: number;

  constructor(readonly vocabulary: readonly VocabularyEntry[]) {
    this.scores = new Float64Array(vocabulary.length);
    let longest = 1;
    let lowest = 0;
    vocabulary.forEach(([piece, score], id) => {
      const codePoints = Array.from(piece, (char) => char.codePointAt(0)!);
      this.scores[id] = score ?? 0;
      if (id < RESERVED_COUNT) return;
      lowest = Math.min(lowest, this.scores[id]);
      longest = Math.max(longest, codePoints.length);
      let node = this.root;
      for (const codePoint of codePoints) {
        let child = node.children.get(codePoint);
        if (!child) {
          child = { children: new Map(), id: -1 };
          node.children.set(codePoint, child);
        }
        node = child;
      }
      if (node.id < 0) node.id = id;
    });
    this.longestPiece = longest;
    this.unknownScore = lowest - 10;
  }

  /** Applies the normalisation described in the module comment (without the `▁` marks). */
  static normalize(text: string): string {
    return text
      .normalize('NFKC')
      .replace(/\s/gu, ' ')
      .replace(/\p{Cc}/gu, '')
      .replace(/ {2,}/g, ' ')
      .trim();
  }

  /**
   * Token ids of `text`. Never empty. With `maxTokens`, only the first
   * `(maxTokens + 1) * longestPiece` characters of the normalised text are segmented, so huge
   * inputs cost little more than normalising them.
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const maxTokens = options.maxTokens ?? Infinity;
    let normalized = SentencePieceTokenizer.normalize(text);
    if (Number.isFinite(maxTokens)) {
      const characterBudget = (maxTokens + 1) * this.longestPiece;
      if (normalized.length > characterBudget * 2) normalized = normalized.slice(0, characterBudget * 2);
    }
    const symbols = Array.from(WORD_START + normalized.replaceAll(' ', WORD_START), (char) => char.codePointAt(0)!);
    if (Number.isFinite(maxTokens) && symbols.length > (maxTokens + 1) * this.longestPiece) {
      symbols.length = (maxTokens + 1) * this.longestPiece;
    }
    const ids = this.segment(symbols);
    return ids.length > maxTokens ? ids.slice(0, maxTokens) : ids;
  }

  /** The pieces of a list of ids, for debugging and tests. */
  pieces(ids: readonly number[]): string[] {
    return ids.map((id) => this.vocabulary[id]?.[0] ?? '');
  }

  private segment(symbols: readonly number[]): number[] {
    const length = symbols.length;
    const best = new Float64Array(length + 1).fill(-Infinity);
    const bestId = new Int32Array(length + 1).fill(-1);
    const bestStart = new Int32Array(length + 1).fill(-1);
    best[0] = 0;
    for (let start = 0; start < length; start++) {
      if (best[start] === -Infinity) continue;
      let node: TrieNode | undefined = this.root;
      let coveredSingle = false;
      for (let end = start; end < length && node; end++) {
        node = node.children.get(symbols[end]);
        if (!node || node.id < 0) continue;
        if (end === start) coveredSingle = true;
        const score = best[start] + this.scores[node.id];
        // Ties go to the later start (a shorter last piece), as the reference tokenizer does.
        if (score >= best[end + 1]) {
          best[end + 1] = score;
          bestId[end + 1] = node.id;
          bestStart[end + 1] = start;
        }
      }
      if (!coveredSingle) {
        const score = best[start] + this.unknownScore;
        if (score >= best[start + 1]) {
          best[start + 1] = score;
          bestId[start + 1] = UNKNOWN_ID;
          bestStart[start + 1] = start;
        }
      }
    }
    const reversed: number[] = [];
    for (let position = length; position > 0; position = bestStart[position]) {
      const id = bestId[position];
      if (id === UNKNOWN_ID && reversed[reversed.length - 1] === UNKNOWN_ID) continue;
      reversed.push(id);
    }
    return reversed.reverse();
  }
}
