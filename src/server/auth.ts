import { timingSafeEqual } from 'node:crypto';

/**
 * A check of an `Authorization` header against `Bearer <token>`: the scheme in any case (RFC 9110
 * makes it case-insensitive), the token compared in constant time. Without a token every request passes.
 */
export function bearerCheck(token: string | undefined): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = Buffer.from(token);
  return (header) => {
    const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
    if (!match) return false;
    const given = Buffer.from(match[1]);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

/** Replaces every given secret, and anything shaped like an API key, in `text`. */
export function makeRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const known = secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= 4);
  return (text) => {
    let result = text;
    for (const secret of known) result = result.split(secret).join('[redacted]');
    return result.replace(/\b(sk|key|pk)-[A-Za-z0-9_\-*]{8,}/g, '[redacted]');
  };
}
