/**
 * The `/api/v1/...` routes of Temporal's HTTP API (and of the Temporal UI server) that the UI
 * calls, each mapped to the WorkflowService or OperatorService method it stands for. Path
 * parameters fill the request fields the gateway fills (namespace, workflow id, query type…);
 * query parameters and the JSON body fill the rest.
 */
import type { Json } from './protojson';

export interface Route {
  method: 'GET' | 'POST';
  /** Segments; `:name` captures one (URL-decoded) segment. */
  pattern: string;
  service: 'workflow' | 'operator';
  rpc: string;
  /** Request fields from the path parameters. */
  fill(p: Record<string, string>): { [key: string]: Json };
}

const ns = (p: Record<string, string>) => ({ namespace: p.namespace! });
const execution = (p: Record<string, string>) => ({
  namespace: p.namespace!,
  execution: { workflowId: p.workflowId! },
});
const workflowExecution = (p: Record<string, string>) => ({
  namespace: p.namespace!,
  workflowExecution: { workflowId: p.workflowId! },
});

const W = 'workflow' as const;
const NS = '/api/v1/namespaces/:namespace';
const WF = `${NS}/workflows/:workflowId`;

export const ROUTES: Route[] = [
  { method: 'GET', pattern: '/api/v1/cluster-info', service: W, rpc: 'GetClusterInfo', fill: () => ({}) },
  { method: 'GET', pattern: '/api/v1/system-info', service: W, rpc: 'GetSystemInfo', fill: () => ({}) },
  { method: 'GET', pattern: '/api/v1/namespaces', service: W, rpc: 'ListNamespaces', fill: () => ({}) },
  { method: 'GET', pattern: NS, service: W, rpc: 'DescribeNamespace', fill: ns },
  { method: 'GET', pattern: `${NS}/search-attributes`, service: 'operator', rpc: 'ListSearchAttributes', fill: ns },
  { method: 'GET', pattern: `${NS}/workflows`, service: W, rpc: 'ListWorkflowExecutions', fill: ns },
  { method: 'GET', pattern: `${NS}/archived-workflows`, service: W, rpc: 'ListArchivedWorkflowExecutions', fill: ns },
  { method: 'GET', pattern: `${NS}/workflow-count`, service: W, rpc: 'CountWorkflowExecutions', fill: ns },
  { method: 'GET', pattern: WF, service: W, rpc: 'DescribeWorkflowExecution', fill: execution },
  {
    method: 'POST',
    pattern: WF,
    service: W,
    rpc: 'StartWorkflowExecution',
    fill: (p) => ({ namespace: p.namespace!, workflowId: p.workflowId! }),
  },
  { method: 'GET', pattern: `${WF}/history`, service: W, rpc: 'GetWorkflowExecutionHistory', fill: execution },
  {
    method: 'GET',
    pattern: `${WF}/history-reverse`,
    service: W,
    rpc: 'GetWorkflowExecutionHistoryReverse',
    fill: execution,
  },
  {
    method: 'POST',
    pattern: `${WF}/query/:queryType`,
    service: W,
    rpc: 'QueryWorkflow',
    fill: (p) => ({ ...execution(p), query: { queryType: p.queryType! } }),
  },
  {
    method: 'POST',
    pattern: `${WF}/signal/:signalName`,
    service: W,
    rpc: 'SignalWorkflowExecution',
    fill: (p) => ({ ...workflowExecution(p), signalName: p.signalName! }),
  },
  {
    method: 'POST',
    pattern: `${WF}/update/:updateName`,
    service: W,
    rpc: 'UpdateWorkflowExecution',
    fill: (p) => ({ ...workflowExecution(p), request: { input: { name: p.updateName! } } }),
  },
  {
    method: 'POST',
    pattern: `${WF}/cancel`,
    service: W,
    rpc: 'RequestCancelWorkflowExecution',
    fill: workflowExecution,
  },
  {
    method: 'POST',
    pattern: `${WF}/terminate`,
    service: W,
    rpc: 'TerminateWorkflowExecution',
    fill: workflowExecution,
  },
  { method: 'POST', pattern: `${WF}/reset`, service: W, rpc: 'ResetWorkflowExecution', fill: workflowExecution },
  {
    method: 'GET',
    pattern: `${NS}/task-queues/:taskQueue`,
    service: W,
    rpc: 'DescribeTaskQueue',
    fill: (p) => ({ namespace: p.namespace!, taskQueue: { name: p.taskQueue! } }),
  },
  { method: 'GET', pattern: `${NS}/schedules`, service: W, rpc: 'ListSchedules', fill: ns },
  { method: 'GET', pattern: `${NS}/batch-operations`, service: W, rpc: 'ListBatchOperations', fill: ns },
];

/** The route for a method and path, with its path parameters; undefined when none matches. */
export function matchRoute(
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | undefined {
  const segments = pathname.split('/');
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const want = route.pattern.split('/');
    if (want.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < want.length && ok; i++) {
      if (want[i]!.startsWith(':')) {
        try {
          params[want[i]!.slice(1)] = decodeURIComponent(segments[i]!);
        } catch {
          ok = false;
        }
      } else ok = want[i] === segments[i];
    }
    if (ok) return { route, params };
  }
  return undefined;
}
