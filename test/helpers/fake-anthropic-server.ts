/**
 * A real HTTP server on 127.0.0.1 that speaks the Anthropic Messages wire format
 * (`POST /v1/messages`, JSON and server-sent events with named events), for tests that drive the
 * real `@anthropic-ai/sdk` client: `new Anthropic({ baseURL: fake.url, apiKey: 'test' })`.
 */
import type http from 'node:http';
import { listenFake } from './fake-openai-server.js';

/** What the fake does with one request (taken from the script queue, else the default reply). */
export type AnthropicBehaviour =
  | { kind: 'error'; status: number; type?: string; message?: string }
  | { kind: 'hang' }
  | { kind: 'stream-error'; type?: string; message?: string }
  | {
      kind: 'reply';
      /** Text of the answer. Default `"<model> says: ok ok ok"`. */
      text?: string;
      /** Default `end_turn`. */
      stopReason?: string;
      /** A tool use block after the text. */
      toolUse?: { id: string; name: string; input: Record<string, unknown> };
      usage?: { input_tokens: number; output_tokens: number; cache_read_input_tokens?: number };
    };

/** One request the fake received. */
export interface RecordedAnthropicRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A running fake Anthropic server. */
export interface FakeAnthropicServer {
  /** `http://127.0.0.1:<port>` (the SDK appends `/v1/messages`). */
  url: string;
  requests: RecordedAnthropicRequest[];
  /** Streaming responses the client closed before the fake finished them. */
  abortedStreams: number;
  /** Queues behaviours for the next requests (first in, first used). */
  script(...behaviours: AnthropicBehaviour[]): void;
  close(): Promise<void>;
}

/** Options of the fake. */
export interface FakeAnthropicServerOptions {
  /** Delay between stream events (ms). Default 0. */
  eventDelayMs?: number;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeAnthropicServer(options: FakeAnthropicServerOptions = {}): Promise<FakeAnthropicServer> {
  const queue: AnthropicBehaviour[] = [];
  const requests: RecordedAnthropicRequest[] = [];
  const state = { abortedStreams: 0 };
  let counter = 0;

  const { port, close } = await listenFake((request, response, raw) => {
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
    const fail = (status: number, type: string, message: string) => {
      response.writeHead(status, { 'content-type': 'application/json', 'retry-after-ms': '5' });
      response.end(JSON.stringify({ type: 'error', error: { type, message } }));
    };
    if (request.method !== 'POST' || !request.url?.startsWith('/v1/messages')) return fail(404, 'not_found_error', 'not found');
    if (typeof body?.max_tokens !== 'number') return fail(400, 'invalid_request_error', 'max_tokens: Field required');
    const behaviour = queue.shift() ?? { kind: 'reply' };
    if (behaviour.kind === 'hang') return;
    if (behaviour.kind === 'error') {
      return fail(behaviour.status, behaviour.type ?? 'api_error', behaviour.message ?? `fake error ${behaviour.status}`);
    }
    const id = `msg_fake_${++counter}`;
    const model: string = body.model;
    if (behaviour.kind === 'stream-error') {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: behaviour.type ?? 'overloaded_error', message: behaviour.message ?? 'Overloaded' } })}\n\n`);
      return;
    }
    const text = behaviour.text ?? `${model} says: ok ok ok`;
    const stopReason = behaviour.stopReason ?? (behaviour.toolUse ? 'tool_use' : 'end_turn');
    const usage = behaviour.usage ?? { input_tokens: countInput(body), output_tokens: wordCount(text) };
    const content: object[] = [{ type: 'text', text }];
    if (behaviour.toolUse) content.push({ type: 'tool_use', ...behaviour.toolUse });
    if (body.stream !== true) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let finished = false;
    response.on('close', () => {
      if (!finished) state.abortedStreams++;
    });
    const event = (name: string, data: object) => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
    const events = [
      event('message_start', {
        message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
      }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      event('ping', {}),
      ...text.split(/(?= )/).map((piece) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } })),
      event('content_block_stop', { index: 0 }),
    ];
    if (behaviour.toolUse) {
      const json = JSON.stringify(behaviour.toolUse.input);
      const half = Math.floor(json.length / 2);
      events.push(
        event('content_block_start', { index: 1, content_block: { type: 'tool_use', id: behaviour.toolUse.id, name: behaviour.toolUse.name, input: {} } }),
        event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: json.slice(0, half) } }),
        event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: json.slice(half) } }),
        event('content_block_stop', { index: 1 }),
      );
    }
    events.push(
      event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }),
      event('message_stop', {}),
    );
    const send = (index: number) => {
      if (response.destroyed) return;
      if (index >= events.length) {
        finished = true;
        response.end();
        return;
      }
      response.write(events[index]);
      if (options.eventDelayMs) setTimeout(() => send(index + 1), options.eventDelayMs);
      else send(index + 1);
    };
    send(0);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get abortedStreams() {
      return state.abortedStreams;
    },
    script: (...behaviours) => void queue.push(...behaviours),
    close,
  };
}

function countInput(body: any): number {
  const system = typeof body.system === 'string' ? wordCount(body.system) : 0;
  const messages = (body.messages as Array<{ content: Array<{ text?: string; content?: string }> | string }>).reduce((sum, message) => {
    if (typeof message.content === 'string') return sum + wordCount(message.content);
    return sum + message.content.reduce((inner, block) => inner + wordCount(block.text ?? block.content ?? ''), 0);
  }, 0);
  return system + messages;
}
