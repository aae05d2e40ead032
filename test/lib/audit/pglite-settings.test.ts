/**
 * PGlite's memory settings (lib/audit/pglite-thread.ts, PGLITE_SETTINGS) are in force in a store
 * opened the way the worker opens it: a new directory created by a short-lived child process,
 * then opened in the worker's own PGlite thread — and again when an existing directory is
 * reopened (start parameters hold for one start; the directory's postgresql.conf keeps
 * PostgreSQL's server defaults).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../lib/logger';
import { PGLITE_SETTINGS } from '../../../lib/audit/pglite-thread';
import { openAuditForProcess } from '../../../workers/lifecycle/audit';

jest.setTimeout(120_000);

const SHOWN = ['shared_buffers', 'wal_buffers', 'work_mem', 'maintenance_work_mem', 'temp_buffers'];

describe('PGlite memory settings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'jml-pglite-settings-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function settingsOfWorkerStore(): Promise<Record<string, string>> {
    const audit = await openAuditForProcess({
      logger: createLogger({ level: 'silent' }),
      env: { JML_AUDIT_DIR: path.join(dir, 'audit') },
    });
    try {
      expect(audit.store.kind).toBe('pglite');
      const shown: Record<string, string> = {};
      for (const name of SHOWN) {
        const { rows } = await audit.store.db.query<Record<string, string>>(`SHOW ${name}`);
        shown[name] = rows[0]![name]!;
      }
      return shown;
    } finally {
      await audit.close();
    }
  }

  it('bounds the shared buffers and the maintenance memory, in a new directory and in a reopened one', async () => {
    const expected = {
      shared_buffers: '16MB',
      // PostgreSQL's automatic size: 1/32 of the shared buffers.
      wal_buffers: '512kB',
      work_mem: '4MB',
      maintenance_work_mem: '16MB',
      temp_buffers: '1MB',
    };
    expect(PGLITE_SETTINGS).toEqual({ shared_buffers: '16MB', maintenance_work_mem: '16MB', temp_buffers: '1MB' });
    expect(await settingsOfWorkerStore()).toEqual(expected);
    expect(await settingsOfWorkerStore()).toEqual(expected);
  });
});
