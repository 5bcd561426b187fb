import type http from 'node:http';
import type { HandlerReply, HandlerRequest } from './exchange.js';

/** The node:http form of the handler (an Express middleware too). */
export type NodeHandler = (request: http.IncomingMessage, response: http.ServerResponse, next?: (error?: unknown) => void) => Promise<void>;

/** What the adapters need from the handler. */
interface Core {
  handle(request: HandlerRequest): Promise<HandlerReply>;
  serves(path: string): boolean;
}

function normalPath(url: string): string {
  return url.split('?')[0].replace(/\/+$/, '') || '/';
}

/** Resolves once `response` can take more data (or is gone). */
function drained(response: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

/** Writes streamed events with backpressure; stops reading them when the client leaves. */
async function writeEvents(response: http.ServerResponse, events: AsyncIterable<string>): Promise<void> {
  // Events that arrive together (one upstream read parsed into several) leave in one socket
  // write: the response is corked at the first and uncorked once this turn of the event loop ends.
  let flushScheduled = false;
  for await (const event of events) {
    if (response.destroyed) break;
    if (!flushScheduled) {
      flushScheduled = true;
      response.cork();
      setImmediate(() => {
        flushScheduled = false;
        response.uncork();
      });
    }
    if (!response.write(event)) await drained(response);
  }
  if (!response.destroyed) response.end();
}

/** How much of an unread request body is discarded, and for how long, before the socket closes. */
const LINGER_BYTES = 32 * 1024 * 1024;
const LINGER_MS = 5_000;

/**
 * Sends an early reply (a 413 before the body was read) while the client may still be sending.
 * Closing at once would reset the connection under the client's writes, and many clients then
 * report a connection error instead of the reply. So the reply goes out whole (with its length),
 * the rest of the body is read and dropped for a bounded number of bytes and time, and only then
 * does the response end and node close the connection.
 */
async function replyThenDiscard(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): Promise<void> {
  response.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  response.write(body);
  await new Promise<void>((resolve) => {
    let discarded = 0;
    const done = () => {
      clearTimeout(timer);
      request.off('data', count);
      request.off('end', done);
      request.off('close', done);
      resolve();
    };
    const count = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > LINGER_BYTES) done();
    };
    const timer = setTimeout(done, LINGER_MS);
    request.on('data', count);
    request.once('end', done);
    request.once('close', done);
    request.resume();
  });
  if (!response.destroyed) response.end();
}

/** Answers a node:http request; unknown paths go to `next` when given (Express). */
export async function nodeHandler(
  core: Core,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  next?: (error?: unknown) => void,
): Promise<void> {
  const path = normalPath(request.url ?? '/');
  if (next && !core.serves(path)) return next();
  const abort = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) abort.abort();
  });
  const reply = await core.handle({
    method: (request.method ?? 'GET').toUpperCase(),
    path,
    header: (name) => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    // Left unread on an early error (413): the iterator must not destroy the socket before the reply.
    body: request.iterator({ destroyOnReturn: false }),
    signal: abort.signal,
  });
  if (response.destroyed) {
    if (typeof reply.body !== 'string') await reply.body[Symbol.asyncIterator]().return?.(undefined);
    return;
  }
  if (typeof reply.body === 'string') {
    if (reply.headers.connection === 'close' && !request.complete) {
      await replyThenDiscard(request, response, reply.status, reply.headers, reply.body);
      return;
    }
    response.writeHead(reply.status, reply.headers);
    response.end(reply.body);
    return;
  }
  response.writeHead(reply.status, { ...reply.headers, connection: reply.headers.connection ?? 'keep-alive' });
  await writeEvents(response, reply.body);
}

/** Answers a web-standard `Request` with a `Response`; a streamed body stops when the reader cancels. */
export async function fetchHandler(core: Core, request: Request): Promise<Response> {
  const abort = new AbortController();
  const onAbort = () => abort.abort(request.signal.reason);
  if (request.signal.aborted) onAbort();
  else request.signal.addEventListener('abort', onAbort, { once: true });
  const reply = await core.handle({
    method: request.method.toUpperCase(),
    path: normalPath(new URL(request.url).pathname),
    header: (name) => request.headers.get(name) ?? undefined,
    body: request.body as AsyncIterable<Uint8Array> | null,
    signal: abort.signal,
  });
  const headers = new Headers(reply.headers);
  // A fetch server manages its own connections.
  headers.delete('connection');
  if (typeof reply.body === 'string') {
    request.signal.removeEventListener('abort', onAbort);
    return new Response(request.method === 'HEAD' ? null : reply.body, { status: reply.status, headers });
  }
  const events = reply.body[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const step = await events.next();
      if (step.done) {
        request.signal.removeEventListener('abort', onAbort);
        controller.close();
      } else controller.enqueue(encoder.encode(step.value));
    },
    async cancel() {
      abort.abort();
      await events.return?.(undefined);
    },
  });
  return new Response(stream, { status: reply.status, headers });
}
