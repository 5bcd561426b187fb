/**
 * `labelPrompts`: prompts -> answers of the strong and the weak model -> a judge's rating ->
 * battles that `routellm train` reads. Resumable and idempotent (see `store.ts`).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ConcurrencyLimiter } from '../concurrency.js';
import { usageCost } from '../controller/accounting.js';
import { ProviderPool } from '../controller/provider-pool.js';
import { InvalidOptionsError } from '../errors.js';
import { parseOptions } from '../options.js';
import { ProgressBar } from '../train/progress.js';
import { checkJudgeTemplate, DEFAULT_JUDGE_TEMPLATE, parseRating, ratingOutcome, renderJudgePrompt, templateHash } from './judge.js';
import { labelOptionsSchema, type LabelOptions, type ResolvedLabelOptions } from './options.js';
import { readLabelInput, type LabelPrompt } from './input.js';
import { JsonLinesAppender, labelKey, readStoredRows, type AnswerRow, type FailureRow, type TokenUsage } from './store.js';

/** What a labelling run did. */
export interface LabelSummary {
  output: string;
  answers: string;
  failures: string;
  /** Rows of the input file. */
  inputRows: number;
  /** Distinct prompts considered (after `limit`). */
  prompts: number;
  /** Prompts already labelled for these models, judge and template (skipped, no request). */
  alreadyLabelled: number;
  /** Prompts labelled by this run. */
  labelled: number;
  /** Prompts that failed in this run (kept in the failures file; a re-run retries them). */
  failed: number;
  /** Prompts not started because `maxCost` was reached. */
  skipped: number;
  /** Outcomes of this run's labels: the strong model won, or the weak one was as good. */
  outcomes: { strong: number; weak: number };
  /** Ratings 1..5 given in this run. */
  ratings: Record<string, number>;
  /** Upstream calls made (each after the SDK's own retries). */
  requests: number;
  /** Tokens by model in this run. */
  tokens: Record<string, TokenUsage>;
  /** Dollars spent in this run, when every model has a price. */
  costUsd?: number;
  seconds: number;
}

/** The file beside `output` with `suffix` in place of its `.jsonl` extension. */
function besideOutput(output: string, suffix: string): string {
  return `${output.replace(/\.jsonl$/i, '')}${suffix}`;
}

/**
 * Labels the prompts of `options.input`: each distinct prompt is answered by the strong and the weak
 * model, the judge rates the weak answer against the strong one, and `ratingOutcome` turns the rating
 * into a battle appended to `options.output`. A prompt labelled before for the same models, judge
 * and template is skipped; a stored answer is reused. A failing prompt is written to the failures
 * file (with the judge's reply when it had no rating) and counted. Throws `InvalidOptionsError`
 * for bad options and `DataError` for an unreadable input.
 */
export async function labelPrompts(options: LabelOptions): Promise<LabelSummary> {
  const resolved = parseOptions(labelOptionsSchema, options, 'label options');
  const template = checkJudgeTemplate(resolved.template ?? DEFAULT_JUDGE_TEMPLATE);
  if (path.resolve(resolved.output) === path.resolve(resolved.input)) throw new InvalidOptionsError('label options', 'an output file other than the input file');
  const models = [resolved.strongModel, resolved.weakModel, resolved.judgeModel];
  if (resolved.maxCost !== undefined) {
    const unpriced = models.filter((model) => !resolved.prices?.[model]);
    if (unpriced.length > 0) throw new InvalidOptionsError('label options', `maxCost needs a price for every model; none for ${unpriced.join(', ')}`);
  }
  const run = new LabelRun(resolved, template);
  try {
    return await run.run();
  } finally {
    run.close();
  }
}

class LabelRun {
  private readonly started = Date.now();
  private readonly pool: ProviderPool;
  private readonly templateKey: string;
  private readonly answers = new Map<string, AnswerRow>();
  private readonly summary: LabelSummary;
  private readonly answerLog: JsonLinesAppender;
  private readonly labelLog: JsonLinesAppender;
  private readonly failureLog: JsonLinesAppender;
  private spentUsd = 0;

  constructor(
    private readonly options: ResolvedLabelOptions,
    private readonly template: string,
  ) {
    this.pool = new ProviderPool(options);
    this.templateKey = templateHash(template);
    const answers = options.answers ?? besideOutput(options.output, '.answers.jsonl');
    const failures = options.failures ?? besideOutput(options.output, '.failed.jsonl');
    this.answerLog = new JsonLinesAppender(answers);
    this.labelLog = new JsonLinesAppender(options.output);
    this.failureLog = new JsonLinesAppender(failures);
    const priced = [options.strongModel, options.weakModel, options.judgeModel].every((model) => options.prices?.[model]);
    this.summary = {
      output: options.output, answers, failures, inputRows: 0, prompts: 0, alreadyLabelled: 0, labelled: 0, failed: 0, skipped: 0,
      outcomes: { strong: 0, weak: 0 }, ratings: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }, requests: 0, tokens: {}, costUsd: priced ? 0 : undefined, seconds: 0,
    };
  }

  async run(): Promise<LabelSummary> {
    const { rows, prompts } = await readLabelInput(this.options.input, this.options.limit);
    this.summary.inputRows = rows;
    this.summary.prompts = prompts.length;
    const done = new Set((await readStoredRows(this.options.output)).rows.map((row) => row.key));
    for (const row of (await readStoredRows(this.summary.answers)).rows) {
      if (typeof row.prompt_hash === 'string' && typeof row.model === 'string' && typeof row.answer === 'string') {
        this.answers.set(`${row.prompt_hash}\u0000${row.model}`, row as unknown as AnswerRow);
      }
    }
    // Failures of an earlier run are retried now; the file keeps this run's only.
    await writeFile(this.summary.failures, '');
    const pending = prompts.filter((prompt) => !done.has(this.keyOf(prompt)));
    this.summary.alreadyLabelled = prompts.length - pending.length;
    const bar = this.options.progress ? new ProgressBar(pending.length, { label: 'labelling' }) : undefined;
    const limiter = new ConcurrencyLimiter(this.options.concurrency);
    let finished = 0;
    await Promise.all(
      pending.map((prompt) =>
        limiter.run(async () => {
          if (this.options.maxCost !== undefined && this.spentUsd >= this.options.maxCost) this.summary.skipped++;
          else await this.labelOne(prompt);
          bar?.update(++finished, this.progressText());
        }),
      ),
    );
    await Promise.all([this.answerLog.flush(), this.labelLog.flush(), this.failureLog.flush()]);
    bar?.finish(this.progressText());
    this.summary.seconds = (Date.now() - this.started) / 1000;
    return this.summary;
  }

  close(): void {
    this.pool.close();
  }

  private keyOf(prompt: LabelPrompt): string {
    const { strongModel, weakModel, judgeModel } = this.options;
    return labelKey({ promptHash: prompt.hash, strong: strongModel, weak: weakModel, judge: judgeModel, templateHash: this.templateKey });
  }

  private progressText(): string {
    const cost = this.summary.costUsd === undefined ? '' : `$${this.spentUsd.toFixed(4)} spent, `;
    return `${cost}${this.summary.failed} failed`;
  }

  private async labelOne(prompt: LabelPrompt): Promise<void> {
    const key = this.keyOf(prompt);
    const { strongModel, weakModel, judgeModel } = this.options;
    const [strong, weak] = await Promise.allSettled([this.answer(prompt, strongModel), this.answer(prompt, weakModel)]);
    if (strong.status === 'rejected') return this.fail({ key, prompt: prompt.text, stage: 'strong', model: strongModel, error: errorText(strong.reason) });
    if (weak.status === 'rejected') return this.fail({ key, prompt: prompt.text, stage: 'weak', model: weakModel, error: errorText(weak.reason) });
    const judgePrompt = renderJudgePrompt(this.template, prompt.text, strong.value, weak.value);
    let reply: string;
    try {
      reply = (await this.call(judgeModel, [{ role: 'user', content: judgePrompt }])).text;
    } catch (error) {
      return this.fail({ key, prompt: prompt.text, stage: 'judge', model: judgeModel, error: errorText(error) });
    }
    const rating = parseRating(reply);
    if (rating === undefined) {
      return this.fail({ key, prompt: prompt.text, stage: 'judge', model: judgeModel, error: 'the judge reply has no rating [[1]]..[[5]]', reply });
    }
    const winner = ratingOutcome(rating, this.options.weakWinsFrom);
    await this.labelLog.append({
      prompt: prompt.text, model_a: strongModel, model_b: weakModel, winner, rating,
      judge: judgeModel, template: this.templateKey, key, judge_reply: reply,
      // The same file is a benchmark for `routellm eval`: the reference scores 1, the weak answer its rating on [0, 1].
      scores: { [strongModel]: 1, [weakModel]: (rating - 1) / 4 },
    });
    this.summary.labelled++;
    this.summary.ratings[rating]++;
    if (winner === 'model_a') this.summary.outcomes.strong++;
    else this.summary.outcomes.weak++;
  }

  /** The model's answer to the prompt: the stored one, else a call whose answer is stored at once. */
  private async answer(prompt: LabelPrompt, model: string): Promise<string> {
    const stored = this.answers.get(`${prompt.hash}\u0000${model}`);
    if (stored) return stored.answer;
    const { text, usage } = await this.call(model, prompt.messages, this.options.maxTokens);
    const row: AnswerRow = { prompt_hash: prompt.hash, model, answer: text, usage };
    this.answers.set(`${prompt.hash}\u0000${model}`, row);
    await this.answerLog.append(row);
    return text;
  }

  private async call(model: string, messages: ChatCompletionMessageParam[], maxTokens?: number): Promise<{ text: string; usage: TokenUsage }> {
    this.summary.requests++;
    const base = { messages, temperature: this.options.temperature, ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }) };
    const completion = await this.pool.call(model, base, (provider, params) => provider.complete(params));
    const usage = { prompt_tokens: completion.usage?.prompt_tokens ?? 0, completion_tokens: completion.usage?.completion_tokens ?? 0 };
    const tokens = (this.summary.tokens[model] ??= { prompt_tokens: 0, completion_tokens: 0 });
    tokens.prompt_tokens += usage.prompt_tokens;
    tokens.completion_tokens += usage.completion_tokens;
    const price = this.options.prices?.[model];
    if (price) {
      this.spentUsd += usageCost({ ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens }, price);
      if (this.summary.costUsd !== undefined) this.summary.costUsd = this.spentUsd;
    }
    return { text: completion.choices[0]?.message?.content ?? '', usage };
  }

  private async fail(row: FailureRow): Promise<void> {
    this.summary.failed++;
    await this.failureLog.append(row);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
