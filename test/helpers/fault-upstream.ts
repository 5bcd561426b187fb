/**
 * A fault-injecting stand-in upstream (127.0.0.1 only): each model id names a fault, so a server
 * whose strong model is `fault-<name>` meets that fault on every strong call while its weak model
 * (`good`) answers normally. Used by the server fault tests and bench/server-faults.bench.ts.
 */
import { chatCompletionChunks, echoReply, openAIError, startFakeOpenAIServer, type FakeOpenAIServer, type ScriptedReply } from './fake-openai-server.js';

/** The faults, by the name that follows `fault-` in a model id. */
export const FAULTS = ['429', '500', 'html502', 'reset', 'garbage', 'null', 'text', 'empty', 'truncated', 'trickle'] as const;
export type Fault = (typeof FAULTS)[number];

/**
 * Gap between the events of the `trickle` fault's stream, in ms: far longer than the idle
 * timeouts the tests set (250-400 ms), so that on a loaded machine the next event cannot win the
 * race against the timeout. A server that enforces its idle timeout never waits for it.
 */
export const TRICKLE_GAP_MS = 5_000;
/** The same fault asked for a JSON answer: a slow body of events, read whole, that is not JSON. */
const TRICKLE_JSON_GAP_MS = 100;

function faultReply(fault: string, stream: boolean, model: string): ScriptedReply {
  switch (fault) {
    case '429':
      return openAIError(429, 'rate limited (always)', 'rate_limit_error', { headers: { 'retry-after-ms': '1' } });
    case '500':
      return openAIError(500, 'upstream exploded', 'server_error');
    case 'html502':
      return { status: 502, raw: '<html><body><h1>502 Bad Gateway</h1></body></html>', contentType: 'text/html' };
    case 'reset':
      return { destroy: true };
    case 'garbage':
      return stream ? { raw: 'data: {"choices": [tru\n\n', contentType: 'text/event-stream' } : { raw: '{"choices": [tru' };
    case 'null':
      return stream ? { sse: [null] } : { raw: 'null' };
    case 'text':
      return { raw: 'hello, this is not JSON', contentType: 'text/plain' };
    case 'empty':
      return stream ? { sse: [{}] } : { json: {} };
    case 'truncated':
      // Two chunks, then the connection ends: no finish_reason, no [DONE].
      return stream ? { sse: chatCompletionChunks(['partial ', 'answer'], model).slice(0, 3), done: false } : { json: {} };
    case 'trickle':
      return { sse: chatCompletionChunks(['slow ', 'slow ', 'slow'], model), eventDelayMs: stream ? TRICKLE_GAP_MS : TRICKLE_JSON_GAP_MS, delayFirstEvent: false };
    default:
      throw new Error(`unknown fault ${fault}`);
  }
}

/** Starts the faulty upstream. */
export function startFaultUpstream(): Promise<FakeOpenAIServer> {
  return startFakeOpenAIServer({
    recordRequests: false,
    handler: (request) => {
      const model = String(request.body?.model ?? '');
      if (!model.startsWith('fault-')) return echoReply(request);
      return faultReply(model.slice('fault-'.length), request.body?.stream === true, model);
    },
  });
}
