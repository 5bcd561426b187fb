import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestRecord } from './request-record.js';

/** Paths counted by name; any other path (scanners, typos) counts as `other`, so labels stay few. */
const KNOWN_PATHS = new Set(['/v1/chat/completions', '/v1/route', '/v1/models', '/v1/stats', '/metrics', '/health']);

/**
 * The `policy` label of N-model routing: `knob=<k>` or `within_best=<m>` with the value rounded to
 * the nearest 0.05. A request may send any float, and each distinct label value is a series kept
 * for the life of the process; rounding bounds them at 21 knobs and 21 margins per router and model
 * (the usual values, 0.3 or 0.05, stay exact). The exact value is in the request's log line.
 */
export function policyLabel(policy: { knob?: number; within_best?: number }): string {
  const [name, value] = policy.knob !== undefined ? ['knob', policy.knob] : ['within_best', policy.within_best ?? 0];
  return `${name}=${Number((Math.round(value * 20) / 20).toFixed(2))}`;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The handler's Prometheus metrics, in a registry of its own (so two handlers in one process do
 * not collide; an application merges it with `Registry.merge`). Label values come from the
 * request record: router, decision and model names, never prompts or keys.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter;
  private readonly routing: Histogram;
  private readonly upstream: Histogram;
  private readonly fallbacks: Counter;
  private readonly upstreamErrors: Counter;
  private readonly tokens: Counter;
  private readonly cost: Counter;
  private readonly savings: Gauge;
  private readonly routedPrompts: Counter;
  private readonly chosenPrompts: Counter;

  constructor(processMetrics = false) {
    const registers = [this.registry];
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'routellm_requests_total',
      help: 'Requests answered, by path, router, decision, model that answered, and HTTP status; among N models also by policy (knob or within-best margin, rounded to 0.05).',
      labelNames: ['path', 'router', 'decision', 'model', 'status', 'policy'],
      registers,
    });
    this.routing = new Histogram({
      name: 'routellm_routing_duration_seconds',
      help: 'Time to score a chat request with its router.',
      labelNames: ['router'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstream = new Histogram({
      name: 'routellm_upstream_duration_seconds',
      help: 'Time of the upstream call (fallback included; streams: until the first chunk).',
      labelNames: ['model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.fallbacks = new Counter({
      name: 'routellm_fallbacks_total',
      help: 'Requests answered by the other model after the chosen one failed.',
      labelNames: ['router', 'from', 'to'],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'routellm_upstream_errors_total',
      help: 'Upstream failures by kind (status, connection, timeout, malformed, truncated, idle), including those a fallback recovered.',
      labelNames: ['kind'],
      registers,
    });
    this.tokens = new Counter({ name: 'routellm_tokens_total', help: 'Tokens by model and type (prompt, completion).', labelNames: ['model', 'type'], registers });
    this.cost = new Counter({ name: 'routellm_cost_usd_total', help: 'Dollars spent, by model (models with a price).', labelNames: ['model'], registers });
    // A gauge: with prices where the weak model costs more, a request's savings are negative.
    this.savings = new Gauge({ name: 'routellm_savings_usd', help: 'Dollars saved against sending every request to the strong model (since start).', registers });
    this.routedPrompts = new Counter({
      name: 'routellm_route_prompts_total',
      help: 'Prompts scored by POST /v1/route, by router and decision.',
      labelNames: ['router', 'decision'],
      registers,
    });
    this.chosenPrompts = new Counter({
      name: 'routellm_route_choices_total',
      help: 'Prompts scored by POST /v1/route when routing among N models, by router, policy (knob or within-best margin, rounded to 0.05) and chosen model.',
      labelNames: ['router', 'policy', 'model'],
      registers,
    });
  }

  /** Counts one answered request. */
  observe(record: RequestRecord): void {
    const labels: Partial<Record<'path' | 'router' | 'decision' | 'model' | 'status' | 'policy', string>> = {
      path: KNOWN_PATHS.has(record.path) ? record.path : 'other',
      router: record.router ?? '',
      decision: record.decision ?? '',
      model: record.model ?? '',
      status: String(record.status),
    };
    // Only requests among N models carry a policy: strong/weak series keep exactly the labels they had.
    if (record.knob !== undefined || record.within_best !== undefined) labels.policy = policyLabel(record);
    this.requests.inc(labels);
    const { routing, upstream } = record.latency_ms;
    if (record.router !== undefined && routing !== undefined && record.prompts === undefined) this.routing.observe({ router: record.router }, routing / 1000);
    if (record.model !== undefined && upstream !== undefined) this.upstream.observe({ model: record.model }, upstream / 1000);
    if (record.fallback) {
      this.fallbacks.inc({ router: record.router ?? '', from: record.fallback.from, to: record.fallback.to });
      this.upstreamErrors.inc({ kind: record.fallback.kind ?? 'status' });
    }
    if (record.error?.kind) this.upstreamErrors.inc({ kind: record.error.kind });
    if (record.tokens && record.model !== undefined) {
      this.tokens.inc({ model: record.model, type: 'prompt' }, record.tokens.prompt);
      this.tokens.inc({ model: record.model, type: 'completion' }, record.tokens.completion);
    }
    if (record.cost && record.model !== undefined) {
      this.cost.inc({ model: record.model }, record.cost.model_usd);
      this.savings.inc(record.cost.savings_usd);
    }
  }

  /** Counts the decisions of a `/v1/route` request. */
  observeRoute(router: string, strong: number, weak: number): void {
    if (strong > 0) this.routedPrompts.inc({ router, decision: 'strong' }, strong);
    if (weak > 0) this.routedPrompts.inc({ router, decision: 'weak' }, weak);
  }

  /** Counts the choices of a `/v1/route` request among N models: `models`, the model chosen for each prompt. */
  observeChoices(router: string, policy: { knob?: number; within_best?: number }, models: readonly string[]): void {
    const counts = new Map<string, number>();
    for (const model of models) counts.set(model, (counts.get(model) ?? 0) + 1);
    const label = policyLabel(policy);
    for (const [model, count] of counts) this.chosenPrompts.inc({ router, policy: label, model }, count);
  }
}
