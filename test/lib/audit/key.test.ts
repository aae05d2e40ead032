/**
 * The audit key: placeholders and weak values refused with how to generate one; the local
 * store's key generated once (mode 0600) and reused; a key file that cannot be created is a
 * clear AuditKeyError, not a crash.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditKeyError, auditKeyFromEnv, auditKeyFromString, ensureLocalAuditKey } from '../../../lib/audit';

test('placeholders and weak keys are refused, strong ones accepted', () => {
  expect(() => auditKeyFromString('replace-with-openssl-rand-base64-48')).toThrow(
    /placeholder.*openssl rand -base64 48/,
  );
  expect(() => auditKeyFromString('a'.repeat(64))).toThrow(/too weak/);
  expect(() => auditKeyFromString(randomBytes(16).toString('hex'))).toThrow(/too weak/);
  expect(auditKeyFromString(randomBytes(32).toString('hex')).id).toMatch(/^[0-9a-f]{16}$/);
  expect(auditKeyFromString(randomBytes(48).toString('base64')).id).toMatch(/^[0-9a-f]{16}$/);
  expect(() =>
    auditKeyFromEnv({ JML_AUDIT_KEY: randomBytes(48).toString('base64'), JML_AUDIT_KEY_FILE: '/x' }),
  ).toThrow(/not both/);
  expect(auditKeyFromEnv({})).toBeUndefined();
});

test('the local key is generated once with mode 0600 and reused; an impossible location is an AuditKeyError', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'jml-key-'));
  try {
    const first = ensureLocalAuditKey(dir);
    expect(first.generated).toBe(true);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    const again = ensureLocalAuditKey(dir);
    expect(again).toMatchObject({ generated: false, file: first.file });
    expect(again.key.id).toBe(first.key.id);
    writeFileSync(path.join(dir, 'not-a-dir'), '');
    expect(() => ensureLocalAuditKey(path.join(dir, 'not-a-dir', 'sub'))).toThrow(AuditKeyError);
    expect(() => ensureLocalAuditKey(path.join(dir, 'not-a-dir', 'sub'))).toThrow(
      /cannot create the audit key file .* \(ENOTDIR\): no audit key: set JML_AUDIT_KEY/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
