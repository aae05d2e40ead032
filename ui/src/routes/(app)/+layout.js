// What every page needs first, as Temporal's own UI loads it: the settings (version, disabled
// actions), the namespaces, the cluster (server version) and the system capabilities.
import { fetchCluster, fetchSystemInfo } from '@temporalio/ui/services/cluster-service';
import { fetchNamespaces } from '@temporalio/ui/services/namespaces-service';
import { fetchSettings } from '@temporalio/ui/services/settings-service';
import { clearAuthUser } from '@temporalio/ui/stores/auth-user';
import '../../app.css';

export async function load({ fetch }) {
  const settings = await fetchSettings(fetch);
  clearAuthUser();
  fetchNamespaces(settings, fetch);
  const cluster = await fetchCluster(settings, fetch);
  const systemInfo = await fetchSystemInfo(settings, fetch);
  return { user: {}, settings, cluster, systemInfo };
}
