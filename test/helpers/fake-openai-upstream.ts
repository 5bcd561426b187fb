import type http from 'node:http';
import { listenFake } from './fake-openai-server.js';

/** What the fake does with one request (taken from the script queue, else the default reply). */
export type UpstreamBehaviour =
  | { kind: 'error'; status: number; message?: string }
  | { kind: 'hang' }
  | { kind: 'reply'; text?: string; finishReason?: string; chunkDelayMs?: number; words?: number; /** Streams: cut the connection after this many events. */ breakAfter?: number };

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** Options of the fake. */
export interface FakeOpenAIUpstreamOptions {
  /** Delay between streamed chunks (ms). Default 0. */
  chunkDelayMs?: number;
  /** Words in the default reply (each streamed as one chunk). Default 3. */
  replyWords?: number;
  /** Default reply `"<model> echoes: <last user message>"` instead of `"<model> says: ok ok ok"`. */
  echo?: boolean;
  /** Keep requests in `requests`. Default true (turn off for benchmarks). */
  record?: boolean;
}

/** A local HTTP server speaking the OpenAI chat-completions wire format (JSON and SSE). */
export interface FakeOpenAIUpstream {
  /** Base URL including `/v1`, for `new OpenAI({ baseURL })`. */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Streaming responses the client closed before the fake finished them. */
  abortedStreams: number;
  /** Queues behaviours for the next requests (first in, first used). */
  script(...behaviours: UpstreamBehaviour[]): void;
  /** Resolves once a streaming response was closed by the client early. */
  waitForAbort(): Promise<void>;
  close(): Promise<void>;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => part?.text ?? '').join(' ');
  return '';
}

/**
 * Starts the fake on 127.0.0.1 (a free port). The default reply is `"<model> says: ok ok ..."`
 * so a test sees which model answered; usage counts words (prompt: all message words).
 */
export async function startFakeOpenAIUpstream(options: FakeOpenAIUpstreamOptions = {}): Promise<FakeOpenAIUpstream> {
  const queue: UpstreamBehaviour[] = [];
  const requests: RecordedRequest[] = [];
  const abortWaiters: Array<() => void> = [];
  const state = { abortedStreams: 0 };
  const replyWords = options.replyWords ?? 3;
  let served = 0;

  const { port, close } = await listenFake((request, response, raw) => {
    let body: any = undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    if (options.record !== false) requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
      return;
    }
    const behaviour = queue.shift() ?? { kind: 'reply' };
    if (behaviour.kind === 'hang') return;
    if (behaviour.kind === 'error') {
      response.writeHead(behaviour.status, { 'content-type': 'application/json', 'retry-after-ms': '5' });
      response.end(JSON.stringify({ error: { message: behaviour.message ?? `fake error ${behaviour.status}`, type: 'server_error', code: null } }));
      return;
    }
    const model: string = body.model;
    const lastUser = [...(body.messages as Array<{ role: string; content: unknown }>)].reverse().find((m) => m.role === 'user');
    const text =
      behaviour.text ??
      (options.echo && behaviour.words === undefined ? `${model} echoes: ${messageText(lastUser?.content)}` : `${model} says:${' ok'.repeat(behaviour.words ?? replyWords)}`);
    const promptTokens = (body.messages as Array<{ content: unknown }>).reduce((sum, m) => sum + wordCount(messageText(m.content)), 0);
    const usage = { prompt_tokens: promptTokens, completion_tokens: wordCount(text), total_tokens: promptTokens + wordCount(text) };
    const id = `chatcmpl-fake-${++served}`;
    const created = Math.floor(Date.now() / 1000);
    const finishReason = behaviour.finishReason ?? 'stop';
    if (body.stream !== true) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: finishReason, logprobs: null }],
          usage,
        }),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let finished = false;
    response.on('close', () => {
      if (!finished) {
        state.abortedStreams++;
        for (const waiter of abortWaiters.splice(0)) waiter();
      }
    });
    const words = text.split(/(?= )/);
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
    const events = [chunk({ role: 'assistant', content: '' }, null), ...words.map((word) => chunk({ content: word }, null)), chunk({}, finishReason)];
    if (body.stream_options?.include_usage) {
      events.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
    }
    events.push('data: [DONE]\n\n');
    const delay = behaviour.chunkDelayMs ?? options.chunkDelayMs ?? 0;
    const send = (index: number) => {
      if (response.destroyed) return;
      if (behaviour.breakAfter !== undefined && index >= behaviour.breakAfter) {
        finished = true;
        response.socket?.destroy();
        return;
      }
      if (index >= events.length) {
        finished = true;
        response.end();
        return;
      }
      response.write(events[index]);
      if (delay > 0) setTimeout(() => send(index + 1), delay);
      else send(index + 1);
    };
    send(0);
  });
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get abortedStreams() {
      return state.abortedStreams;
    },
    script: (...behaviours) => queue.push(...behaviours),
    waitForAbort: () => new Promise<void>((resolve) => abortWaiters.push(resolve)),
    close,
  };
}
