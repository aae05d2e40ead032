/**
 * GetClusterInfo, as a single-cluster dev server answers it. The Temporal UI reads the server
 * version from here and takes older code paths below 1.19, so the version must be a real one.
 */
import type { temporal } from '@temporalio/proto';
import type { Plain } from './proto';

/** The Temporal server release whose API the engine follows (the SDK 1.24 protos). */
export const COMPATIBLE_SERVER_VERSION = '1.27.0';

export function clusterInfo(clusterId: string): Plain<temporal.api.workflowservice.v1.IGetClusterInfoResponse> {
  return {
    supportedClients: {
      'temporal-cli': '< 2.0.0',
      'temporal-go': '< 2.0.0',
      'temporal-java': '< 2.0.0',
      'temporal-php': '< 2.0.0',
      'temporal-server': '< 2.0.0',
      'temporal-typescript': '< 2.0.0',
      'temporal-ui': '< 3.0.0',
    },
    serverVersion: COMPATIBLE_SERVER_VERSION,
    clusterId,
    clusterName: 'active',
    historyShardCount: 1,
    persistenceStore: 'memory (jml embedded engine)',
    visibilityStore: 'memory (jml embedded engine)',
    failoverVersionIncrement: 10,
    initialFailoverVersion: 1,
  };
}
