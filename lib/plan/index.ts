export { planEvent, type AppPlan, type EventPlan, type PlannedRequest } from './plan';
export { renderPlan } from './render';
