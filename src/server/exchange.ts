/** A request as the handler reads it, whatever server it came from (node:http, Express, a fetch handler). */
export interface HandlerRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** The path without query string or trailing slash, relative to where the handler is mounted. */
  path: string;
  /** A header's value (names are case-insensitive). */
  header(name: string): string | undefined;
  /** The body, read once (null when there is none). */
  body: AsyncIterable<Uint8Array> | null;
  /** Aborted when the client goes away: routing and upstream work stop. */
  signal: AbortSignal;
}

/** A reply before it is written: a whole body, or events written as they come. */
export interface HandlerReply {
  status: number;
  headers: Record<string, string>;
  /** A JSON or text body, or the server-sent events of a stream. */
  body: string | AsyncIterable<string>;
}

/** A JSON reply. */
export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): HandlerReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
