import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSecretRef, resolveSecret } from '../../../lib/config';

describe('resolveSecret', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jml-secret-'));
    await writeFile(join(dir, 'token'), 's3cr3t\n');
    await writeFile(join(dir, 'crlf'), 'two\nlines\r\n');
    await writeFile(join(dir, 'empty'), '\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('env: reads the variable', async () => {
    expect(await resolveSecret('env:APP_TOKEN', { env: { APP_TOKEN: 'abc' } })).toBe('abc');
  });

  test('file: trims one trailing newline only; relative paths use baseDir', async () => {
    expect(await resolveSecret(`file:${join(dir, 'token')}`)).toBe('s3cr3t');
    expect(await resolveSecret('file:crlf', { baseDir: dir })).toBe('two\nlines');
  });

  test('an injected reader is used', async () => {
    expect(await resolveSecret('file:/run/secrets/x', { readFile: (p) => `${p}!\n` })).toBe('/run/secrets/x!');
  });

  test('failures are SECRET_UNRESOLVED and name the reference, never a value', async () => {
    await expect(resolveSecret('env:MISSING', { env: {} })).rejects.toMatchObject({
      code: 'SECRET_UNRESOLVED',
      message: 'secret reference "env:MISSING": environment variable MISSING is not set',
    });
    await expect(resolveSecret('env:EMPTY', { env: { EMPTY: '' } })).rejects.toMatchObject({
      code: 'SECRET_UNRESOLVED',
    });
    await expect(resolveSecret('file:nope', { baseDir: dir })).rejects.toMatchObject({
      message: `secret reference "file:nope": cannot read ${join(dir, 'nope')} (ENOENT)`,
    });
    await expect(resolveSecret('file:empty', { baseDir: dir })).rejects.toMatchObject({
      message: `secret reference "file:empty": file ${join(dir, 'empty')} is empty`,
    });
    const literal = await resolveSecret('pasted-literal-value').catch((e: Error) => e.message);
    expect(literal).toBe('"<literal of 20 characters>" is not a secret reference; write env:NAME or file:/path');
  });

  test('parseSecretRef', () => {
    expect(parseSecretRef('env:A_1')).toEqual({ kind: 'env', name: 'A_1' });
    expect(parseSecretRef('file:./x')).toEqual({ kind: 'file', path: './x' });
    expect(parseSecretRef('env:1A')).toBeUndefined();
    expect(parseSecretRef('env:')).toBeUndefined();
    expect(parseSecretRef('token')).toBeUndefined();
  });
});
