/** The soak workflow: concurrent activities (some retried) racing signals; the result is order-independent. */
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export const valueSignal = defineSignal<[number]>('value');

export interface SoakPlan {
  steps: number[];
  signals: number;
}

export interface SoakResult {
  steps: number[];
  signals: number[];
  total: number;
}

const acts = proxyActivities<{ soakStep(x: number): Promise<number> }>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '20ms', maximumAttempts: 5 },
});

export async function soak(plan: SoakPlan): Promise<SoakResult> {
  const received: number[] = [];
  setHandler(valueSignal, (v) => void received.push(v));
  const steps = await Promise.all(plan.steps.map((x) => acts.soakStep(x)));
  await condition(() => received.length >= plan.signals);
  const signals = [...received].sort((a, b) => a - b);
  const total = [...steps, ...signals].reduce((a, b) => a + b, 0);
  return { steps, signals, total };
}
