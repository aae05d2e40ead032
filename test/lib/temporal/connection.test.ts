/**
 * The worker's gRPC compression setting: off over loopback (the embedded engine, a sidecar),
 * the SDK's gzip across a network, and TEMPORAL_GRPC_COMPRESSION wins either way.
 */
import { grpcCompression, temporalSettingsFromEnv } from '../../../lib/temporal/connection';

describe('grpcCompression', () => {
  it.each(['127.0.0.1:7233', '127.0.0.1:41877', 'localhost:7233', 'localhost', '[::1]:7233', '127.1.2.3:7233'])(
    'is none for the loopback address %s',
    (address) => {
      expect(grpcCompression(undefined, address)).toBe('none');
    },
  );

  it.each(['temporal:7233', 'ns.acct.tmprl.cloud:7233', '10.0.0.5:7233', '[2001:db8::1]:7233', '127.example.com:7233'])(
    'keeps the SDK gzip for %s',
    (address) => {
      expect(grpcCompression(undefined, address)).toBe('gzip');
    },
  );

  it('follows TEMPORAL_GRPC_COMPRESSION whatever the address', () => {
    expect(grpcCompression('gzip', '127.0.0.1:7233')).toBe('gzip');
    expect(grpcCompression('none', 'ns.acct.tmprl.cloud:7233')).toBe('none');
    expect(grpcCompression('', 'temporal:7233')).toBe('gzip');
  });

  it('refuses any other value, naming the variable and the choices', () => {
    expect(() => grpcCompression('zstd', '127.0.0.1:7233')).toThrow(
      'TEMPORAL_GRPC_COMPRESSION must be gzip or none, got "zstd"',
    );
  });

  it('is part of the settings read from the environment', () => {
    expect(temporalSettingsFromEnv({}).grpcCompression).toBe('none');
    expect(temporalSettingsFromEnv({ TEMPORAL_ADDRESS: 'temporal:7233' }).grpcCompression).toBe('gzip');
    expect(
      temporalSettingsFromEnv({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_GRPC_COMPRESSION: 'none' }).grpcCompression,
    ).toBe('none');
  });
});
