import { parseTrustedProxies, TrustedProxiesError } from '../../../workers/api';

describe('parseTrustedProxies', () => {
  test('addresses, CIDR ranges and named ranges, trimmed', () => {
    expect(parseTrustedProxies(' 10.0.0.5, 10.1.0.0/16 ,::1,fd00::/8, uniquelocal,loopback ')).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      '::1',
      'fd00::/8',
      'uniquelocal',
      'loopback',
    ]);
  });

  test.each([
    ['', 'is empty'],
    [' , ', 'is empty'],
    ['10.0.0.300', '"10.0.0.300" is not an IP address'],
    ['proxy.internal', '"proxy.internal" is not an IP address'],
    ['10.0.0.0/33', 'prefix length outside 0–32'],
    ['fd00::/129', 'prefix length outside 0–128'],
    ['10.0.0.0/8/1', 'more than one "/"'],
    ['0.0.0.0/0', 'trusts every address'],
    ['10.0.0.0/x', 'prefix length'],
  ])('refuses %j, naming the entry and the fix', (raw, message) => {
    let error: unknown;
    try {
      parseTrustedProxies(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TrustedProxiesError);
    expect((error as Error).message).toContain('--trusted-proxies');
    expect((error as Error).message).toContain(message);
  });
});
