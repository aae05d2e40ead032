/** HR payload adapters by route name: `POST /v1/hr/events` (canonical) and `/v1/hr/events/<name>`. */
import { bambooHrAdapter } from './bamboohr';
import { canonicalAdapter } from './canonical';
import { scimBulkAdapter } from './scim-bulk';
import type { HrAdapter } from './types';

export type { AdaptedEvent, AdapterContext, AdapterResult, HrAdapter } from './types';
export { bambooHrAdapter, canonicalAdapter, scimBulkAdapter };
export { localMidnight } from './dates';
export { deriveTransition } from './transition';

/** The adapters served under `/v1/hr/events/<name>`. */
export const VENDOR_ADAPTERS: readonly HrAdapter[] = [bambooHrAdapter, scimBulkAdapter];
