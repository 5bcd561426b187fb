import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

/** Options of `createNodeFetch`. */
export interface NodeFetchOptions {
  /** Most sockets per upstream host. Default 256. */
  maxSockets?: number;
}

/** A fetch function and a way to close its pooled connections. */
export interface NodeFetch {
  fetch: typeof fetch;
  /** Closes the kept-alive sockets. */
  close(): void;
}

/** Where a URL goes, as node:http request options (parsed once per distinct URL). */
interface Target {
  secure: boolean;
  protocol: string;
  hostname: string;
  port: string;
  path: string;
  auth?: string;
}

function parseTarget(input: string): Target {
  const url = new URL(input);
  return {
    secure: url.protocol === 'https:',
    protocol: url.protocol,
    // node:http wants an IPv6 literal without its brackets.
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    ...(url.username || url.password ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
  };
}

/** The error fetch rejects with when its signal aborts. */
function abortError(signal: AbortSignal): DOMException {
  const error = new DOMException('This operation was aborted', 'AbortError');
  if (signal.reason !== undefined) Object.defineProperty(error, 'cause', { value: signal.reason, configurable: true });
  return error;
}

/** The request headers as a plain object; the SDKs pass a `Headers`, which is read without a copy. */
function plainHeaders(init: RequestInit['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  const source = init instanceof Headers ? init : new Headers(init);
  for (const [key, value] of source) headers[key] = value;
  headers['accept-encoding'] = 'gzip, deflate, br';
  return headers;
}

/** Response headers as name/value pairs, without the encoding and length of the body this fetch decodes. */
function responseHeaders(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (name !== 'content-encoding' && name !== 'content-length') pairs.push([name, rawHeaders[i + 1]]);
  }
  return pairs;
}

/**
 * A `fetch` for the SDK clients the library builds itself, over node:http/https with keep-alive
 * agents. The SDKs accept any fetch; this one costs about half the CPU per request of Node's
 * built-in fetch (measured by bench/server.bench.ts), which is most of what the server adds.
 * JSON bodies (every non-streaming answer and every error) are read whole before the Response is
 * made, so they skip the web-stream wrapping; other bodies (server-sent events) stream as they
 * arrive. Bodies other than strings and bytes fall back to the built-in fetch.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  // An SDK client sends every request to the same few URLs: each is parsed once.
  const targets = new Map<string, Target>();

  const nodeFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body;
    if (input instanceof Request || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) {
      return fetch(input, init);
    }
    const address = String(input);
    let target = targets.get(address);
    if (!target) {
      target = parseTarget(address);
      if (targets.size >= 64) targets.clear();
      targets.set(address, target);
    }
    const { secure, protocol, hostname, port, path, auth } = target;
    const headers = plainHeaders(init.headers);
    const method = (init.method ?? 'GET').toUpperCase();
    const signal = init.signal ?? undefined;
    const attempt = (retryStaleSocket: boolean) => new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const request = (secure ? https : http).request(
        { protocol, hostname, port, path, auth, method, headers, agent: secure ? httpsAgent : httpAgent },
        (response) => {
          const encoding = String(response.headers['content-encoding'] ?? '').toLowerCase();
          let stream: Readable = response;
          if (encoding === 'gzip' || encoding === 'x-gzip') stream = response.pipe(zlib.createGunzip());
          else if (encoding === 'deflate') stream = response.pipe(zlib.createInflate());
          else if (encoding === 'br') stream = response.pipe(zlib.createBrotliDecompress());
          if (stream !== response) {
            response.on('error', (error) => stream.destroy(error));
            // A decoded body cancelled by the reader destroys only the decoder: close the response
            // too, or its socket would stay paused, never back in the pool.
            stream.once('close', () => {
              if (!response.complete) response.destroy();
            });
          }
          const status = response.statusCode ?? 500;
          const responseInit = { status, statusText: response.statusMessage, headers: responseHeaders(response.rawHeaders) };
          if (status === 204 || status === 304 || method === 'HEAD') {
            response.resume();
            resolve(new Response(null, responseInit));
            return;
          }
          if (!/json/i.test(String(response.headers['content-type']))) {
            resolve(new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, responseInit));
            return;
          }
          // A JSON body is read in full by the caller anyway: collect it here, and fail the fetch
          // (a connection error the SDK may retry, or an abort) when it is cut off.
          const parts: Buffer[] = [];
          stream.on('data', (part: Buffer) => parts.push(part));
          stream.on('end', () => resolve(new Response(parts.length === 1 ? parts[0] : Buffer.concat(parts), responseInit)));
          stream.on('error', reject);
          response.on('close', () => {
            if (!response.complete) reject(signal?.aborted ? abortError(signal) : new Error('The upstream closed the connection before the end of the body.'));
          });
        },
      );
      if (signal) {
        // One listener, dropped when the request closes (node:http's own `signal` option costs more per request).
        const onAbort = () => request.destroy(abortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        request.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle: the request never reached it, so it
        // is sent again once on a new socket (as Node's documentation of `reusedSocket` advises).
        const stale = request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        if (stale && retryStaleSocket && !signal?.aborted) attempt(false).then(resolve, reject);
        else reject(error);
      });
      request.end(body ?? undefined);
    });
    return attempt(true);
  };
  return {
    fetch: nodeFetch as typeof fetch,
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
