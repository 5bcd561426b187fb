import { policyFields } from '../controller/model-choice.js';
import { jsonReply, type HandlerReply, type HandlerRequest } from './exchange.js';
import type { RequestRecord } from './request-record.js';
import type { RouteContext } from './routes.js';

/**
 * `POST /v1/route` when the controller routes among N models: the choice for each prompt with
 * every model's score and expected cost. `prompts` were checked by the caller.
 */
export async function routeAmongModels(
  context: RouteContext,
  request: HandlerRequest,
  body: Record<string, unknown>,
  prompts: string[],
  record: RequestRecord,
): Promise<HandlerReply> {
  const routing = context.controller.resolveModelRouting(body);
  const policy = policyFields(routing.policy);
  const models = [...(routing.models ?? context.controller.models ?? [])];
  Object.assign(record, { router: routing.router, ...policy, models, prompts: prompts.length });
  const routingStart = performance.now();
  const results = await context.controller.chooseBatch(prompts, routing, { signal: request.signal });
  record.latency_ms.routing = performance.now() - routingStart;
  context.metrics?.observeChoices(routing.router, policy, results.map((result) => result.model));
  return jsonReply(200, {
    object: 'routellm.route',
    router: routing.router,
    ...policy,
    models,
    results: results.map(({ model, scores, expected_cost_usd }) => ({ model, scores, expected_cost_usd })),
  });
}

/**
 * One `GET /v1/models` entry when the controller routes among N models: `router-<name>-<knob>`
 * for a router's configured knob (the server's `thresholds`), with the models it chooses among.
 */
export function modelListEntry(context: RouteContext, name: string, knob: number, created: number): Record<string, unknown> {
  const { router } = context.controller.resolveModelRouting({ router: name, knob });
  return { id: `router-${router}-${knob}`, object: 'model', created, owned_by: 'routellm', routellm: { router, knob, models: context.controller.models } };
}
