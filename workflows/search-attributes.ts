/**
 * Custom search attributes the lifecycle workflows set, so ops can find runs in the Temporal
 * UI (`EmployeeId = "E123" AND LifecycleEvent = "leaver" AND SlaBreached = true`). They must be
 * registered on a real server first (see README); the embedded engine pre-registers them.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const EMPLOYEE_ID = defineSearchAttributeKey('EmployeeId', SearchAttributeType.KEYWORD);
export const LIFECYCLE_EVENT = defineSearchAttributeKey('LifecycleEvent', SearchAttributeType.KEYWORD);
export const SLA_DEADLINE = defineSearchAttributeKey('SlaDeadline', SearchAttributeType.DATETIME);
export const SLA_BREACHED = defineSearchAttributeKey('SlaBreached', SearchAttributeType.BOOL);
export const APPS = defineSearchAttributeKey('Apps', SearchAttributeType.KEYWORD_LIST);

/** Name → type, for registering on a server (`jml` setup, docker-compose job, the engine). */
export const SEARCH_ATTRIBUTE_TYPES = {
  EmployeeId: 'Keyword',
  LifecycleEvent: 'Keyword',
  SlaDeadline: 'Datetime',
  SlaBreached: 'Bool',
  Apps: 'KeywordList',
} as const;
