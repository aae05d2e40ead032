/** `jml scim check` as a library: run it against a connector and format the report. */
export { runScimCheck, throwAwayEmployee, type CheckReport, type CheckOptions } from './run';
export { formatCheckReport } from './format';
export { compareCapabilities, type CapabilityRow } from './discovery';
export { probePaging, requestDeviations } from './deviations';
export type { CheckStep } from './steps';
