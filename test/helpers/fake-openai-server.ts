/**
 * A real HTTP server on 127.0.0.1 that speaks OpenAI's wire formats, for tests and benches that
 * drive the real `openai` client (or any HTTP client) without a remote provider.
 *
 * ```ts
 * const server = await startFakeOpenAIServer();            // port 0: a free port
 * const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test' });
 * server.enqueue(openAIError(429, 'slow down'), (request) => logprobsReply(request, [{ token: 'Hi', logprob: -0.1 }]));
 * await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hello' }] });
 * server.requests[0].body;                                 // the parsed JSON the server received
 * await server.close();
 * ```
 *
 * Each request takes the next scripted reply (`enqueue`, first in first out); when none is queued,
 * the handler answers (`setHandler`, default `echoReply`: an assistant message repeating the last
 * user message, or a completion repeating the prompt). Replies are JSON, raw text (for malformed
 * bodies), server-sent events (streaming), a hang (for client timeouts) or a dropped connection.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The body parsed as JSON, or `undefined` when it was empty or not JSON. */
  body: any;
}

interface ReplyCommon {
  /** HTTP status. Default 200. */
  status?: number;
  /** Extra response headers, e.g. `{ 'retry-after-ms': '10' }`. */
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** What the server answers to one request. */
export type ScriptedReply =
  | (ReplyCommon & { json: unknown })
  | (ReplyCommon & { raw: string; contentType?: string })
  | (ReplyCommon & {
      sse: unknown[];
      eventDelayMs?: number;
      /** Wait `eventDelayMs` before the first event too. Default true. */
      delayFirstEvent?: boolean;
      done?: boolean;
      /** Cut the connection after this many events (after `eventDelayMs` more), with no end of the response. */
      destroyAfter?: number;
    })
  | { hang: true }
  | { destroy: true };

/** Computes a reply from the request. */
export type ReplyHandler = (request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;

/** A running fake server. */
export interface FakeOpenAIServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<port>/v1`: the `baseURL` for the openai client. */
  readonly baseURL: string;
  readonly port: number;
  /** Every request received so far, in arrival order (unless recording is off). */
  readonly requests: RecordedRequest[];
  /** Queues replies (or per-request handlers) answered one per request, in order, before the handler. */
  enqueue(...replies: (ScriptedReply | ReplyHandler)[]): void;
  /** Replaces the handler used when nothing is queued. */
  setHandler(handler: ReplyHandler): void;
  /** Scripted replies not yet used. */
  pendingReplies(): number;
  /** Forgets queued replies and recorded requests. */
  reset(): void;
  /** Stops the server and drops open connections (hanging requests included). */
  close(): Promise<void>;
}

/** Options of `startFakeOpenAIServer`. */
export interface FakeOpenAIServerOptions {
  /** Answers requests when nothing is queued. Default `echoReply`. */
  handler?: ReplyHandler;
  /** Keep every request in `requests`. Default true; turn off for benchmarks. */
  recordRequests?: boolean;
}

/** Starts a fake OpenAI server on 127.0.0.1 at a free port. */
export async function startFakeOpenAIServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  const queue: (ScriptedReply | ReplyHandler)[] = [];
  const requests: RecordedRequest[] = [];
  let handler: ReplyHandler = options.handler ?? echoReply;
  const record = options.recordRequests ?? true;

  const { port, close } = await listenFake(async (incoming, response, rawBody) => {
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const request: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path: (incoming.url ?? '/').split('?')[0],
      headers: incoming.headers,
      rawBody,
      body,
    };
    if (record) requests.push(request);
    try {
      const next = queue.shift() ?? handler;
      const reply = typeof next === 'function' ? await next(request) : next;
      await send(response, reply);
    } catch (error) {
      if (!response.headersSent) {
        await send(response, openAIError(500, `fake server handler failed: ${(error as Error).message}`, 'server_error'));
      } else response.destroy();
    }
  });
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    baseURL: `${url}/v1`,
    port,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    setHandler: (next) => void (handler = next),
    pendingReplies: () => queue.length,
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close,
  };
}

/** A listening fake: its port, and `close()` (stops it and drops open connections, hanging requests included). */
export interface ListeningFake {
  port: number;
  close(): Promise<void>;
}

/**
 * The HTTP part every fake upstream shares (this one, fake-openai-upstream, fake-anthropic-server):
 * listens on a free port of 127.0.0.1 and calls `onRequest` with each request's whole body as text.
 */
export async function listenFake(
  onRequest: (incoming: IncomingMessage, response: ServerResponse, rawBody: string) => void | Promise<void>,
): Promise<ListeningFake> {
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => void onRequest(incoming, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function send(response: ServerResponse, reply: ScriptedReply): Promise<void> {
  if ('hang' in reply) return;
  if ('destroy' in reply) {
    response.socket?.destroy();
    return;
  }
  if (reply.delayMs) await sleep(reply.delayMs);
  if (response.destroyed) return;
  const headers = { ...reply.headers };
  if ('json' in reply) {
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(reply.json));
  } else if ('raw' in reply) {
    response.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json', ...headers });
    response.end(reply.raw);
  } else {
    response.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
    for (const [index, event] of reply.sse.entries()) {
      if (reply.eventDelayMs && (index > 0 || reply.delayFirstEvent !== false)) await sleep(reply.eventDelayMs);
      if (response.destroyed) return;
      if (index === reply.destroyAfter) {
        response.socket?.destroy();
        return;
      }
      response.write(`data: ${JSON.stringify(event)}\n\n`);
    }
    if (reply.done ?? true) response.write('data: [DONE]\n\n');
    response.end();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One generated token with its log-probability and the top alternatives at its position. */
export interface PositionSpec {
  token: string;
  logprob: number;
  /** Alternatives as `[token, logprob]`, most likely first. Default: only the chosen token. */
  top?: [string, number][];
}

let nextId = 0;
const created = () => Math.floor(Date.now() / 1000);
const bytesOf = (token: string) => [...Buffer.from(token, 'utf8')];

/** A chat completion body (`object: 'chat.completion'`), with `logprobs.content` when positions are given. */
export function chatCompletion(fields: {
  content: string;
  model?: string;
  logprobs?: PositionSpec[];
  finishReason?: string;
  topCount?: number;
}): Record<string, unknown> {
  const logprobs = fields.logprobs
    ? {
        content: fields.logprobs.map((position) => ({
          token: position.token,
          logprob: position.logprob,
          bytes: bytesOf(position.token),
          top_logprobs: topOf(position, fields.topCount).map(([token, logprob]) => ({ token, logprob, bytes: bytesOf(token) })),
        })),
        refusal: null,
      }
    : null;
  const promptTokens = 10;
  const completionTokens = fields.logprobs?.length ?? Math.max(1, fields.content.split(/\s+/).length);
  return {
    id: `chatcmpl-fake-${++nextId}`,
    object: 'chat.completion',
    created: created(),
    model: fields.model ?? 'fake-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: fields.content, refusal: null },
        logprobs,
        finish_reason: fields.finishReason ?? 'stop',
      },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

/** A legacy completion body (`object: 'text_completion'`), with the `logprobs` object when positions are given. */
export function textCompletion(fields: {
  text: string;
  model?: string;
  logprobs?: PositionSpec[];
  finishReason?: string;
  topCount?: number;
}): Record<string, unknown> {
  return textCompletionBatch({ model: fields.model, topCount: fields.topCount, choices: [fields] });
}

/** A completion body with one choice per prompt (the answer to a `prompt` array), choice `index` = prompt index. */
export function textCompletionBatch(fields: {
  choices: { text: string; logprobs?: PositionSpec[]; finishReason?: string }[];
  model?: string;
  topCount?: number;
}): Record<string, unknown> {
  let completionTokens = 0;
  const choices = fields.choices.map((choice, index) => {
    let offset = 0;
    completionTokens += choice.logprobs?.length ?? Math.max(1, choice.text.split(/\s+/).length);
    const logprobs = choice.logprobs
      ? {
          tokens: choice.logprobs.map((position) => position.token),
          token_logprobs: choice.logprobs.map((position) => position.logprob),
          top_logprobs: choice.logprobs.map((position) => Object.fromEntries(topOf(position, fields.topCount))),
          text_offset: choice.logprobs.map((position) => {
            const start = offset;
            offset += position.token.length;
            return start;
          }),
        }
      : null;
    return { index, text: choice.text, logprobs, finish_reason: choice.finishReason ?? 'stop' };
  });
  return {
    id: `cmpl-fake-${++nextId}`,
    object: 'text_completion',
    created: created(),
    model: fields.model ?? 'fake-model',
    choices,
    usage: { prompt_tokens: 10 * choices.length, completion_tokens: completionTokens, total_tokens: 10 * choices.length + completionTokens },
  };
}

function topOf(position: PositionSpec, count?: number): [string, number][] {
  const top = position.top ?? [[position.token, position.logprob]];
  return count === undefined ? top : top.slice(0, count);
}

/**
 * A reply in the request's own format: a chat completion for `/chat/completions`, a text
 * completion for `/completions`. The text is the tokens joined; the alternatives are cut to the
 * count the request asked for (`top_logprobs`, or `logprobs` for completions), and logprobs are
 * left out when the request did not ask for them. `positions` may be a function of the text asked
 * about (see `requestText`) and its index, which answers a completions `prompt` array with one
 * choice per prompt.
 */
export function logprobsReply(
  request: RecordedRequest,
  positions: PositionSpec[] | ((text: string, index: number) => PositionSpec[]),
): ScriptedReply {
  const answer = typeof positions === 'function' ? positions : () => positions;
  const joined = (tokens: PositionSpec[]) => tokens.map((position) => position.token).join('');
  const model = typeof request.body?.model === 'string' ? request.body.model : undefined;
  if (request.path.endsWith('/chat/completions')) {
    const wanted = request.body?.logprobs === true;
    const topCount = typeof request.body?.top_logprobs === 'number' ? request.body.top_logprobs : 0;
    const tokens = answer(requestText(request), 0);
    return { json: chatCompletion({ content: joined(tokens), model, logprobs: wanted ? tokens : undefined, topCount }) };
  }
  if (request.path.endsWith('/completions')) {
    const count = typeof request.body?.logprobs === 'number' ? request.body.logprobs : undefined;
    const prompts: string[] = Array.isArray(request.body?.prompt) ? request.body.prompt.map(String) : [requestText(request)];
    const choices = prompts.map((prompt, index) => {
      const tokens = answer(prompt, index);
      return { text: joined(tokens), logprobs: count === undefined ? undefined : tokens };
    });
    return { json: textCompletionBatch({ model, topCount: count, choices }) };
  }
  return openAIError(404, `no route for ${request.method} ${request.path}`, 'invalid_request_error');
}

/** An OpenAI-shaped error reply: `{ error: { message, type, param, code } }` with the status. */
export function openAIError(
  status: number,
  message: string,
  type = 'invalid_request_error',
  extra: { code?: string | null; headers?: Record<string, string> } = {},
): ScriptedReply {
  return { status, headers: extra.headers, json: { error: { message, type, param: null, code: extra.code ?? null } } };
}

/** The text a request asks about: the last user message (chat) or the prompt (completions). */
export function requestText(request: RecordedRequest): string {
  const messages = request.body?.messages;
  if (Array.isArray(messages)) {
    const last = [...messages].reverse().find((message) => message?.role === 'user') ?? messages[messages.length - 1];
    const content = last?.content;
    if (typeof content === 'string') return content;
    if (Array.isArray(content)) return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
    return '';
  }
  const prompt = request.body?.prompt;
  return typeof prompt === 'string' ? prompt : Array.isArray(prompt) ? prompt.join('') : '';
}

/** Stream chunks (`chat.completion.chunk`) for `pieces` of assistant text, then a finishing chunk. */
export function chatCompletionChunks(pieces: string[], model = 'fake-model'): Record<string, unknown>[] {
  const id = `chatcmpl-fake-${++nextId}`;
  const base = { id, object: 'chat.completion.chunk', created: created(), model };
  return [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
    ...pieces.map((piece) => ({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  ];
}

/**
 * The default handler: chat completions answer `echo: <last user message>` (streamed when the
 * request has `stream: true`), completions answer the prompt back, `/models` lists one model,
 * anything else is a 404 in OpenAI's error shape.
 */
export function echoReply(request: RecordedRequest): ScriptedReply {
  const model = typeof request.body?.model === 'string' ? request.body.model : 'fake-model';
  if (request.method === 'POST' && request.path.endsWith('/chat/completions')) {
    const content = `echo: ${requestText(request)}`;
    if (request.body?.stream === true) return { sse: chatCompletionChunks(content.split(/(?<= )/), model) };
    return { json: chatCompletion({ content, model }) };
  }
  if (request.method === 'POST' && request.path.endsWith('/completions')) {
    return { json: textCompletion({ text: requestText(request), model }) };
  }
  if (request.method === 'GET' && request.path.endsWith('/models')) {
    return { json: { object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake' }] } };
  }
  return openAIError(404, `no route for ${request.method} ${request.path}`, 'invalid_request_error', { code: 'not_found' });
}
