/** Access rules: HR attributes → apps and groups (birthright access). Pure functions. */
export { evaluateAccess, groupDisplayName, matchingRules, type AccessPlan, type AppAccess } from './evaluate';
export { diffAccess, isEmptyAccessDiff, type AccessDiff, type GroupChanges } from './diff';
export { fieldMatches, matchesAll, matchesAny } from './conditions';
