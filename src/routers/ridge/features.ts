/**
 * What the ridge router sees of a prompt besides its embedding: its kind (multiple-choice, maths
 * or open, which picks the head that scores it) and seven hand-made text features.
 */

/** Lettered options (`A.`, `B)`, `(C)`) at the start of a line; escaped `\n` counts, as some data sets store prompts that way. */
const OPTION_LINE = /(?:^|\n|\\n)\s*\(?[A-D][.)]\s/g;

/** True when the prompt lists two or more lettered answer options on lines of their own. */
export function isMultipleChoice(prompt: string): boolean {
  return (prompt.match(OPTION_LINE)?.length ?? 0) >= 2;
}

/** A line of code, or braces: such a prompt is a programming request, not a maths problem. */
const CODE_MARKER = /```|def |function |class |\{|\}|;\s*$/m;

/** True when the prompt carries code (a fence, a definition, braces, a line ending in `;`). */
export function hasCodeMarker(prompt: string): boolean {
  return CODE_MARKER.test(prompt);
}

/** Which head scores a prompt. */
export type PromptKind = 'multiple_choice' | 'maths' | 'open';

/**
 * Multiple-choice: two or more lettered options (`isMultipleChoice`). Maths: otherwise, two or more
 * numbers and no code marker (word problems, calculations). Open: everything else.
 */
export function promptKind(prompt: string): PromptKind {
  if (isMultipleChoice(prompt)) return 'multiple_choice';
  if (!hasCodeMarker(prompt) && countNumbers(prompt) >= 2) return 'maths';
  return 'open';
}

function countNumbers(prompt: string): number {
  return prompt.match(/\d+(?:[.,]\d+)?/g)?.length ?? 0;
}

/** Number of values `textFeatures` returns. */
export const TEXT_FEATURES = 7;

/**
 * Length, numbers, sentences, code and maths markers, several questions; each scaled to about
 * [0, 1]: log characters / 8, log words / 6, log numbers / 3, log sentences / 3, then three 0/1
 * flags (code, maths, more than one question mark).
 */
export function textFeatures(prompt: string): number[] {
  const numbers = countNumbers(prompt);
  const sentences = prompt.split(/[.!?]+\s/).length;
  const words = prompt.split(/\s+/).filter(Boolean).length;
  return [
    Math.log1p(prompt.length) / 8,
    Math.log1p(words) / 6,
    Math.log1p(numbers) / 3,
    Math.log1p(sentences) / 3,
    hasCodeMarker(prompt) ? 1 : 0,
    /[=+\-*/^]\s*\d|\\frac|\$/.test(prompt) ? 1 : 0,
    (prompt.match(/\?/g)?.length ?? 0) > 1 ? 1 : 0,
  ];
}

/**
 * The head's input rows: each prompt's embedding, its text features and a constant 1 (the bias),
 * `prompts.length x (dimension + TEXT_FEATURES + 1)`, row-major.
 */
export function featureRows(embeddings: Float32Array, dimension: number, prompts: readonly string[]): Float32Array {
  const width = dimension + TEXT_FEATURES + 1;
  const out = new Float32Array(prompts.length * width);
  prompts.forEach((prompt, row) => {
    const at = row * width;
    out.set(embeddings.subarray(row * dimension, (row + 1) * dimension), at);
    out.set(textFeatures(prompt), at + dimension);
    out[at + width - 1] = 1;
  });
  return out;
}
