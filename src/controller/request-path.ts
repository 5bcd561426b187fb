import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { InvalidInputError, type ProviderError } from '../errors.js';
import { isRetryableProviderError, RequestAbortedError } from '../providers/errors.js';
import type { ProviderStream } from '../providers/types.js';
import type { RouteDecision } from '../routers/types.js';
import { requestCost, type Accounting } from './accounting.js';
import { newCompletionId, type CompletionLog } from './feedback.js';
import { checkMessages, routingText } from './messages.js';
import type { ResolvedControllerOptions } from './options.js';
import type { ProviderPool, UpstreamParams } from './provider-pool.js';
import { RoutedChatCompletionStream } from './routed-stream.js';
import { isModelRoutingRecord, type ModelChooser, type ModelRoutingRecord } from './model-choice.js';
import type { ModelRoutingFields } from './model-routing.js';
import type { RouterPool } from './router-pool.js';
import type { RoutedChatCompletion, RoutedCreateParams, RoutedRequestOptions, RouteResult, RoutingRecord } from './types.js';

interface Attempt<T> {
  model: string;
  result: T;
  fallback?: RoutingRecord['fallback'];
  /** The models that failed, in order (with `fallback`). */
  tried?: string[];
}

/** The routing record of either kind of routing: the fields the upstream call fills. */
type AnyRoutingRecord = RoutingRecord | ModelRoutingRecord;

interface OpenedStream {
  upstream: ProviderStream;
  iterator: AsyncIterator<ChatCompletionChunk>;
  first: IteratorResult<ChatCompletionChunk>;
}

const tracer = trace.getTracer('routellm');
/** The SDKs' default request timeout, used between stream chunks when no timeout is set. */
const DEFAULT_STREAM_IDLE_MS = 600_000;

/**
 * Runs `work` in an active span (a no-op span unless the application registered an
 * OpenTelemetry tracer provider); a failure sets the span's error status.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * One chat request from messages to answer: check, score, decide, call the chosen model (the
 * other one once on a retryable failure when fallback is on), count. Streams resolve once the
 * first chunk arrived, so a failure before it can still fall back.
 */
export class RequestPath {
  /** The model whose cost the savings are counted against. */
  private readonly referenceModel: string;

  constructor(
    private readonly options: ResolvedControllerOptions,
    private readonly routers: RouterPool,
    private readonly providers: ProviderPool,
    private readonly accounting: Accounting,
    private readonly completions: CompletionLog,
    /** Set when the controller routes among N models. */
    private readonly chooser?: ModelChooser,
  ) {
    this.referenceModel = chooser?.referenceModel ?? options.strongModel;
  }

  /** The decision for a score. */
  decide(router: string, threshold: number, score: number): RouteResult {
    const decision: RouteDecision = score >= threshold ? 'strong' : 'weak';
    return {
      router,
      threshold,
      strong_win_rate: score,
      decision,
      model: decision === 'strong' ? this.options.strongModel : this.options.weakModel,
    };
  }

  async create(params: RoutedCreateParams, requestOptions: RoutedRequestOptions = {}): Promise<RoutedChatCompletion | RoutedChatCompletionStream> {
    if (typeof params !== 'object' || params === null) throw new InvalidInputError('request', 'an object with messages');
    const messages = checkMessages(params.messages);
    const text = routingText(messages, this.options.routeTurns);
    if (this.chooser) return this.createAmongModels(this.chooser, params, messages, text, requestOptions);
    const { router, threshold } = this.routers.resolveRouting(params);
    const { model: _model, router: _router, threshold: _threshold, stream, ...upstreamParams } = params;
    if (stream != null && typeof stream !== 'boolean') {
      throw new InvalidInputError('stream', 'a boolean');
    }
    const routingStart = performance.now();
    const score = await inSpan('routellm.route', { 'routellm.router': router }, async (span) => {
      const value = await this.routers.use(router, (scorer) => scorer.strongWinRate(text));
      span.setAttribute('routellm.strong_win_rate', value);
      return value;
    });
    if (requestOptions.signal?.aborted) throw new RequestAbortedError({ cause: requestOptions.signal.reason });
    const decided = this.decide(router, threshold, score);
    this.accounting.decided(router, decided.decision);
    const upstreamStart = performance.now();
    const record: RoutingRecord = { id: newCompletionId(), ...decided, latency_ms: { routing: upstreamStart - routingStart, upstream: 0 } };
    const other = decided.model === this.options.strongModel ? this.options.weakModel : this.options.strongModel;
    const served = () => this.remember(record, text);
    return this.answer(upstreamParams as UpstreamParams, stream === true, record, [other], requestOptions, upstreamStart, served);
  }

  /** `create()` when the controller routes among N models: score every model, choose, answer. */
  private async createAmongModels(
    chooser: ModelChooser,
    params: RoutedCreateParams,
    messages: readonly { text: string }[],
    text: string,
    requestOptions: RoutedRequestOptions,
  ): Promise<RoutedChatCompletion | RoutedChatCompletionStream> {
    const routing = chooser.resolve(params);
    const { model: _model, router: _router, knob: _knob, within_best: _withinBest, models: _models, stream, ...upstreamParams } =
      params as RoutedCreateParams & ModelRoutingFields;
    if (stream != null && typeof stream !== 'boolean') throw new InvalidInputError('stream', 'a boolean');
    const routingStart = performance.now();
    const models = chooser.candidates(routing);
    const choice = await inSpan('routellm.route', { 'routellm.router': routing.router }, async (span) => {
      const scores = await chooser.scores(routing.router, [text], models);
      const result = chooser.choose(routing, scores, 0, messages.map((message) => message.text).join('\n'), models);
      span.setAttribute('routellm.model', result.model);
      return result;
    });
    if (requestOptions.signal?.aborted) throw new RequestAbortedError({ cause: requestOptions.signal.reason });
    this.accounting.chose(routing.router, choice.model);
    const upstreamStart = performance.now();
    // Feedback is kept for strong/weak completions only (a battle needs the pair): an N-model id is unknown to `feedback()`.
    const record: ModelRoutingRecord = { id: newCompletionId(), ...choice, chosen: choice.model, latency_ms: { routing: upstreamStart - routingStart, upstream: 0 } };
    const chain = this.options.fallback ? chooser.fallbackChain(choice, routing.policy) : [];
    return this.answer(upstreamParams as UpstreamParams, stream === true, record, chain, requestOptions, upstreamStart);
  }

  /**
   * Calls the chosen model (then `chain` on retryable failures, with fallback on), attaches the
   * record, counts; `served` runs once the answer (or the stream) is there.
   */
  private async answer(
    base: UpstreamParams,
    stream: boolean,
    record: AnyRoutingRecord,
    chain: readonly string[],
    requestOptions: RoutedRequestOptions,
    upstreamStart: number,
    served?: () => void,
  ): Promise<RoutedChatCompletion | RoutedChatCompletionStream> {
    try {
      if (stream) return await this.createStream(base, record, chain, requestOptions, upstreamStart).then((opened) => (served?.(), opened));
      const attempt = await this.withFallback(record.model, chain, (model) =>
        this.providers.call(model, base, (provider, params) => provider.complete(params, { signal: requestOptions.signal })),
      );
      const completion = attempt.result as RoutedChatCompletion;
      record.latency_ms.upstream = performance.now() - upstreamStart;
      this.finishRecord(record, attempt);
      record.cost = requestCost(completion.usage, record.model, this.referenceModel, this.options.prices);
      this.accounting.answered(record.model, completion.usage, record.cost);
      if (record.cost === undefined) delete record.cost;
      if (typeof completion.id === 'string' && completion.id !== '') record.upstream_id = completion.id;
      completion.id = record.id;
      // With N models the record is a ModelRoutingRecord (documented on `RoutedChatCompletion`).
      completion.routellm = record as RoutingRecord;
      served?.();
      return completion;
    } catch (error) {
      this.accounting.failed(record.router);
      throw error;
    }
  }

  private async createStream(
    base: UpstreamParams,
    record: AnyRoutingRecord,
    chain: readonly string[],
    requestOptions: RoutedRequestOptions,
    upstreamStart: number,
  ): Promise<RoutedChatCompletionStream> {
    const abort = new AbortController();
    const callerSignal = requestOptions.signal;
    const onCallerAbort = () => abort.abort(callerSignal?.reason);
    if (callerSignal) {
      if (callerSignal.aborted) abort.abort(callerSignal.reason);
      else callerSignal.addEventListener('abort', onCallerAbort, { once: true });
    }
    const release = () => callerSignal?.removeEventListener('abort', onCallerAbort);
    const callOptions = { signal: abort.signal, includeUsage: true, idleTimeoutMs: this.options.streamIdleTimeoutMs ?? this.options.timeoutMs ?? DEFAULT_STREAM_IDLE_MS };
    let opened: Attempt<OpenedStream>;
    try {
      opened = await this.withFallback(record.model, chain, async (model) => {
        const upstream = await this.providers.call(model, base, (provider, params) => provider.stream(params, callOptions));
        const iterator = upstream[Symbol.asyncIterator]();
        try {
          return { upstream, iterator, first: await iterator.next() };
        } catch (error) {
          upstream.abort();
          throw error;
        }
      });
    } catch (error) {
      release();
      throw error;
    }
    record.latency_ms.upstream = performance.now() - upstreamStart;
    this.finishRecord(record, opened);
    let ended = false;
    const stream = new RoutedChatCompletionStream(
      record as RoutingRecord,
      abort,
      opened.result.first,
      opened.result.iterator,
      base.stream_options?.include_usage === true,
      (seen) => {
        const cost = requestCost(seen, record.model, this.referenceModel, this.options.prices);
        if (cost) record.cost = cost;
      },
      (error) => {
        if (ended) return;
        ended = true;
        release();
        if (error !== undefined) this.accounting.failed(record.router);
        else this.accounting.answered(record.model, stream.usage, record.cost);
      },
    );
    return stream;
  }

  /** Keeps what a training row needs, for `feedback()`. */
  private remember(record: RoutingRecord, prompt: string): void {
    const { id, router, threshold, strong_win_rate, decision, model } = record;
    const { strongModel: strong_model, weakModel: weak_model } = this.options;
    this.completions.remember({ id, created: Date.now(), prompt, router, threshold, strong_win_rate, decision, model, strong_model, weak_model });
  }

  private finishRecord(record: AnyRoutingRecord, attempt: Attempt<unknown>): void {
    record.model = attempt.model;
    if (attempt.fallback) {
      record.fallback = isModelRoutingRecord(record) ? { ...attempt.fallback, tried: attempt.tried ?? [] } : attempt.fallback;
      this.accounting.fellBack(record.router);
    }
  }

  /**
   * Calls `chosen`; with fallback on, a retryable failure walks down `chain`, each model once,
   * until one answers. `fallback` records the chosen model's failure and the model that answered;
   * when all fail, the last failure is thrown (a failure that is not retryable, at once).
   */
  private async withFallback<T>(chosen: string, chain: readonly string[], call: (model: string) => Promise<T>): Promise<Attempt<T>> {
    try {
      return { model: chosen, result: await this.traced(chosen, call) };
    } catch (error) {
      if (!this.options.fallback || !isRetryableProviderError(error) || chain.length === 0) throw error;
      const failure = error as ProviderError;
      const tried = [chosen];
      for (const [index, next] of chain.entries()) {
        try {
          const result = await this.traced(next, call);
          const fallback: NonNullable<RoutingRecord['fallback']> = { from: chosen, to: next, error: failure.message, kind: failure.kind };
          if (failure.status !== undefined) fallback.status = failure.status;
          return { model: next, result, fallback, tried };
        } catch (nextError) {
          if (index === chain.length - 1 || !isRetryableProviderError(nextError)) throw nextError;
          tried.push(next);
        }
      }
      throw error;
    }
  }

  /** One upstream attempt in a `routellm.upstream` span. */
  private traced<T>(model: string, call: (model: string) => Promise<T>): Promise<T> {
    return inSpan('routellm.upstream', { 'routellm.model': model }, () => call(model));
  }
}
