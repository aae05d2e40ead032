/**
 * The benchmarks count a local PostgreSQL server's CPU beside the worker's when the audit store
 * is PostgreSQL (PGlite's share of the same work is inside the worker's figure): the reading must
 * see the server's backends working. Runs where a local server is given (CI starts one).
 */
import { Client } from 'pg';
import { postgresCpuSeconds } from '../../bench/processes';

const url = process.env.JML_TEST_DATABASE_URL;
const local = url !== undefined && ['127.0.0.1', 'localhost'].includes(new URL(url).hostname);

(local ? describe : describe.skip)('postgresCpuSeconds', () => {
  it("grows by the CPU a backend spends on a query (the server's processes, read from /proc)", async () => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const before = postgresCpuSeconds();
      expect(before).toBeGreaterThan(0);
      // A few hundred milliseconds of CPU in this connection's backend.
      await client.query('SELECT sum(g) FROM generate_series(1, 20000000) g');
      const after = postgresCpuSeconds()!;
      expect(after - before!).toBeGreaterThanOrEqual(0.1);
    } finally {
      await client.end();
    }
  });

  it('keeps the CPU of a backend whose connection has closed (a pool closes idle ones mid-run)', async () => {
    const before = postgresCpuSeconds()!;
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('SELECT sum(g) FROM generate_series(1, 20000000) g');
    await client.end();
    // The postmaster reaps the backend shortly after the connection closes.
    await new Promise((r) => setTimeout(r, 500));
    expect(postgresCpuSeconds()! - before).toBeGreaterThanOrEqual(0.1);
  });
});
