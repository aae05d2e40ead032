import { Client, Connection } from '@temporalio/client';
import { Writable } from 'node:stream';
import { createLogger } from '../../../lib/logger';
import { buildApiServer } from '../../../workers/api';
import { openApiDocument } from '../../../workers/api/openapi';

type Doc = { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  const doc = openApiDocument() as unknown as Doc;

  test('every $ref resolves to a component schema', () => {
    const missing = refs(doc.paths)
      .map((r) => r.replace('#/components/schemas/', ''))
      .filter((name) => !(name in doc.components.schemas));
    expect(missing).toEqual([]);
  });

  test('every documented operation is a route the server registers', async () => {
    // A lazy connection never dials: building the server needs no Temporal.
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const app = buildApiServer({
      temporal: { client: new Client({ connection }), taskQueue: 'unused' },
      secrets: { hmacSecrets: ['openapi-test-secret-0001'], bearerTokens: [] },
      logger: createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) }),
    });
    await app.ready();
    try {
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const method of Object.keys(methods)) {
          expect({
            method,
            path,
            registered: app.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }),
          }).toEqual({ method, path, registered: true });
        }
      }
    } finally {
      await app.close();
      await connection.close();
    }
  });
});

describe('OpenAPI security', () => {
  const doc = openApiDocument() as unknown as {
    paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
  };

  test('every POST requires the HMAC signature in each of its alternatives (a bearer token is never enough)', () => {
    const posts = Object.entries(doc.paths).flatMap(([path, ops]) =>
      ops.post ? [{ path, security: ops.post.security ?? [] }] : [],
    );
    expect(posts.length).toBeGreaterThan(0);
    for (const { path, security } of posts) {
      expect({ path, alternatives: security.length > 0 && security.every((alt) => 'hmac' in alt) }).toEqual({
        path,
        alternatives: true,
      });
    }
  });
});
