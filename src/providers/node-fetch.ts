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

/**
 * A `fetch` for the SDK clients the library builds itself, over node:http/https with keep-alive
 * agents. The SDKs accept any fetch; this one costs about half the CPU per request of Node's
 * built-in fetch (measured by bench/server.bench.ts), which is most of what the server adds.
 * Bodies other than strings and bytes fall back to the built-in fetch.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);

  const nodeFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body;
    if (input instanceof Request || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))) {
      return fetch(input, init);
    }
    const url = new URL(String(input));
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    headers['accept-encoding'] = 'gzip, deflate, br';
    const attempt = (retryStaleSocket: boolean) => new Promise<Response>((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        { method: init.method ?? 'GET', headers, agent: secure ? httpsAgent : httpAgent, signal: init.signal ?? undefined },
        (response) => {
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(response.headers)) {
            if (value === undefined || key === 'content-encoding' || key === 'content-length') continue;
            if (Array.isArray(value)) for (const item of value) responseHeaders.append(key, item);
            else responseHeaders.set(key, value);
          }
          const encoding = String(response.headers['content-encoding'] ?? '').toLowerCase();
          let stream: Readable = response;
          if (encoding === 'gzip' || encoding === 'x-gzip') stream = response.pipe(zlib.createGunzip());
          else if (encoding === 'deflate') stream = response.pipe(zlib.createInflate());
          else if (encoding === 'br') stream = response.pipe(zlib.createBrotliDecompress());
          if (stream !== response) response.on('error', (error) => stream.destroy(error));
          const status = response.statusCode ?? 500;
          const noBody = status === 204 || status === 304 || init.method === 'HEAD';
          if (noBody) response.resume();
          resolve(
            new Response(noBody ? null : (Readable.toWeb(stream) as ReadableStream<Uint8Array>), {
              status,
              statusText: response.statusMessage,
              headers: responseHeaders,
            }),
          );
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed while idle: the request never reached it, so it
        // is sent again once on a new socket (as Node's documentation of `reusedSocket` advises).
        const stale = request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        if (stale && retryStaleSocket && !init.signal?.aborted) attempt(false).then(resolve, reject);
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
