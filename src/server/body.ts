import { HttpError } from './error-body.js';

/** The 413 answer for a body over `limit`; the connection is closed after it (the rest is never read). */
export function bodyTooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body exceeds the limit of ${limit} bytes.`, 'invalid_request_error', 'request_too_large');
}

/**
 * Reads a JSON request body of at most `limit` bytes. A declared `Content-Length` over the limit
 * fails at once, before any byte is read; a body that grows past it fails as soon as it does.
 */
export async function readJsonBody(body: AsyncIterable<Uint8Array> | null, declaredLength: string | undefined, limit: number): Promise<unknown> {
  const declared = declaredLength === undefined ? Number.NaN : Number(declaredLength);
  if (Number.isFinite(declared) && declared > limit) throw bodyTooLarge(limit);
  const parts: Uint8Array[] = [];
  let size = 0;
  if (body) {
    for await (const part of body) {
      size += part.length;
      if (size > limit) throw bodyTooLarge(limit);
      parts.push(part);
    }
  }
  const text = Buffer.concat(parts).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.', 'invalid_request_error', 'invalid_json');
  }
}
