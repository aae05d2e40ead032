/**
 * Full scans (reconciliation, the initial load) against the reference SCIM server over real
 * HTTP: an app that caps pages below the connector's page size, and apps whose paging is broken.
 */
import { startRig, type Rig } from './helpers';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const seed = (r: Rig, n: number) => {
  for (let i = 1; i <= n; i++) r.server.seedUser({ userName: `u${i}@example.com`, active: true });
};

test('an app that caps its pages below the page size asked for is scanned to the end', async () => {
  // The connector asks for 100 per page; the app answers at most 10 (RFC 7644 lets it).
  rig = await startRig('slack', { profile: 'rfc', maxPageSize: 10 }, (c) => {
    c.capabilities.maxPageSize = 100;
  });
  seed(rig, 25);
  const scan = await rig.clients.get(rig.connector).scanUsers();
  expect(scan.resources).toHaveLength(25);
  expect(scan.endedBy).toBe('short-page');
  expect(scan.pages).toBe(3);
});

test('repeated first page past the end and overstated totals end the scan with everyone, once', async () => {
  for (const profile of [
    { base: 'rfc' as const, pastEndRepeatsFirstPage: true },
    { base: 'rfc' as const, wrongPageCounts: true },
  ]) {
    rig = await startRig('slack', { profile, maxPageSize: 10 }, (c) => {
      c.capabilities.maxPageSize = 100;
    });
    seed(rig, 25);
    const scan = await rig.clients.get(rig.connector).scanUsers();
    expect(new Set(scan.resources.map((u) => u.id)).size).toBe(25);
    expect(scan.resources).toHaveLength(25);
    await rig.stop();
    rig = undefined;
  }
});

test('an app that answers page 1 to every request fails the scan instead of passing one page off as the directory', async () => {
  // Every request gets the first page back (startIndex ignored) while totalResults says 26: a scan
  // that ended on the "repeated page" would reconcile 10 accounts and call the other 15 missing
  // (and miss any active leaver among them).
  rig = await startRig('slack', { profile: { base: 'rfc', badPaging: true }, maxPageSize: 10 }, (c) => {
    c.capabilities.maxPageSize = 10;
  });
  seed(rig, 25);
  await expect(rig.clients.get(rig.connector).scanUsers()).rejects.toMatchObject({
    code: 'SCIM_PROTOCOL',
    message: expect.stringContaining('10 of the 26 Users it reports'),
  });
});
