/** The only `workflowsPath` the worker bundles: every workflow type, exported by name. */
export { employeeWorkflow } from './employee/workflow';
export { joinerWorkflow } from './joiner';
export { moverWorkflow } from './mover';
export { leaverWorkflow } from './leaver';
export { deletionWorkflow } from './deletion';
export { reconciliationWorkflow } from './reconciliation';
export { appHealthWorkflow } from './app-health';
export { rosterWorkflow } from './roster';
export { massChangeGuardWorkflow } from './guard/workflow';
