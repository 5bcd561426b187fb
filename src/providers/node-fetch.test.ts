import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch } from './node-fetch.js';

let server: http.Server;
let base: string;
const nodeFetch = createNodeFetch();
const closedEarly: string[] = [];
/** How each slow chat request ended, as the server saw it. */
const chatClosed: string[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      if (request.url === '/gzip') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        response.end(zlib.gzipSync(JSON.stringify({ echoed: Buffer.concat(parts).toString(), header: request.headers['x-test'] })));
      } else if (request.url === '/cut-json' || request.url === '/slow-json') {
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-kept': 'a' });
        response.write('{"partial": ');
        if (request.url === '/cut-json') setTimeout(() => response.destroy(), 20);
        else response.on('close', () => closedEarly.push(request.url!));
      } else if (request.url === '/gzip-stream') {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
        const gzip = zlib.createGzip({ flush: zlib.constants.Z_SYNC_FLUSH });
        gzip.pipe(response);
        let count = 0;
        const timer = setInterval(() => gzip.write(`data: ${count++}\n\n`), 10);
        response.on('close', () => {
          clearInterval(timer);
          if (!response.writableFinished) closedEarly.push(request.url!);
        });
      } else if (request.url === '/slow-stream') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        let count = 0;
        const timer = setInterval(() => response.write(`data: ${count++}\n\n`), 10);
        response.on('close', () => {
          clearInterval(timer);
          if (!response.writableFinished) closedEarly.push(request.url!);
        });
      } else if (request.url === '/v1/chat/completions') {
        response.on('close', () => chatClosed.push(response.writableFinished ? 'answered' : 'closed unanswered'));
        setTimeout(() => {
          if (response.destroyed) return;
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [] }));
        }, 2_000);
      } else {
        response.writeHead(204);
        response.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  nodeFetch.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('createNodeFetch', () => {
  it('sends method, headers and body, and decodes a gzip response', async () => {
    const response = await nodeFetch.fetch(`${base}/gzip`, { method: 'POST', headers: { 'x-test': 'yes' }, body: 'hello body' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(await response.json()).toEqual({ echoed: 'hello body', header: 'yes' });
  });

  it('reads a JSON body whole before resolving; a body cut off or aborted rejects the fetch', async () => {
    await expect(nodeFetch.fetch(`${base}/cut-json`)).rejects.toThrow();
    const abort = new AbortController();
    const pending = nodeFetch.fetch(`${base}/slow-json`, { signal: abort.signal });
    setTimeout(() => abort.abort(), 30);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    for (let i = 0; i < 50 && !closedEarly.includes('/slow-json'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closedEarly).toContain('/slow-json');
  });

  it('keeps the response headers, without the length and encoding of the decoded body', async () => {
    const response = await nodeFetch.fetch(`${base}/gzip`, { method: 'POST', body: '' });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('content-encoding')).toBeNull();
  });

  it('answers 204 without a body', async () => {
    const response = await nodeFetch.fetch(`${base}/empty`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('streams the body as it arrives, and aborting closes the connection', async () => {
    const abort = new AbortController();
    const response = await nodeFetch.fetch(`${base}/slow-stream`, { signal: abort.signal });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('data: 0');
    abort.abort();
    await expect(reader.read()).rejects.toThrow();
    for (let i = 0; i < 50 && !closedEarly.includes('/slow-stream'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closedEarly).toContain('/slow-stream');
  });

  it('closes the connection when the reader cancels a compressed stream', async () => {
    const response = await nodeFetch.fetch(`${base}/gzip-stream`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('data: 0');
    await reader.cancel();
    for (let i = 0; i < 50 && !closedEarly.includes('/gzip-stream'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closedEarly).toContain('/gzip-stream');
  });

  it('sends a request again on a new socket when a kept-alive socket was closed by the server', async () => {
    const requestsPerSocket = new WeakMap<object, number>();
    let sockets = 0;
    const flaky = http.createServer((request, response) => {
      const seen = (requestsPerSocket.get(request.socket) ?? 0) + 1;
      requestsPerSocket.set(request.socket, seen);
      if (seen === 1) sockets++;
      request.resume();
      request.on('end', () => {
        if (seen > 1) return request.socket.destroy();
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end(`socket ${sockets}`);
      });
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/`;
    const own = createNodeFetch({ maxSockets: 1 });
    try {
      expect(await (await own.fetch(url, { method: 'POST', body: 'one' })).text()).toBe('socket 1');
      expect(await (await own.fetch(url, { method: 'POST', body: 'two' })).text()).toBe('socket 2');
    } finally {
      own.close();
      flaky.closeAllConnections();
      await new Promise((resolve) => flaky.close(resolve));
    }
  });

  it('gives the openai client its timeouts', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'k', maxRetries: 0, timeout: 200, fetch: nodeFetch.fetch });
    await expect(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionTimeoutError,
    );
    // The timeout closed the connection: the server, which answers after 2 s, never got to answer.
    while (chatClosed.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(chatClosed).toEqual(['closed unanswered']);
  });
});
