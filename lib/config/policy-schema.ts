/**
 * The shape of `config/policy.yaml`, as written (before defaults), and its resolution to
 * `PolicyConfig`.
 */
import { z } from 'zod';
import { durationMs } from './connector-resolve';
import { POLICY_DEFAULTS as D } from './defaults';
import type { AccessCondition, GuardPolicy, PolicyConfig } from './types';

const duration = z.union([z.string(), z.number().int().nonnegative()]);
const conditionValue = z.union([z.string(), z.number(), z.boolean()]);
/** `department: Engineering` or `department: [Engineering, Platform]`. */
const condition = z.record(z.string(), z.union([conditionValue, z.array(conditionValue).min(1)]));
const maxCount = z
  .number({ message: 'must be a whole number of changes, e.g. 20' })
  .refine(Number.isInteger, { message: 'must be a whole number of changes, e.g. 20' })
  .refine((n) => n >= 1, { message: 'must be 1 or more (leave it out for no count limit)' });
const maxPercent = z
  .number({ message: "must be a percentage of the app's accounts, e.g. 10" })
  .gt(0, { message: 'must be more than 0 (leave it out for no percent limit)' })
  .max(100, { message: "must be at most 100 (a percentage of the app's accounts)" });
/** Thresholds of the mass-change guard: for one app, or for every app together. */
const guardThresholds = z.strictObject({ maxCount: maxCount.optional(), maxPercent: maxPercent.optional() });

/** `config/policy.yaml` as written; strict, no defaults (see POLICY_DEFAULTS). */
export const policyFileSchema = z.strictObject({
  slas: z
    .strictObject({ joiner: duration.optional(), mover: duration.optional(), leaver: duration.optional() })
    .optional(),
  retention: z
    .strictObject({ default: duration.optional(), perApp: z.record(z.string(), duration).optional() })
    .optional(),
  joiner: z.strictObject({ leadTime: duration.optional() }).optional(),
  mover: z.strictObject({ revokeGrace: duration.optional() }).optional(),
  leaver: z
    .strictObject({ removeGroupMemberships: z.boolean().optional(), recheckAfter: duration.optional() })
    .optional(),
  notifications: z.strictObject({ webhookUrl: z.string().min(1).optional() }).optional(),
  reconciliation: z.strictObject({ every: duration.optional() }).optional(),
  quarantine: z
    .strictObject({
      enabled: z.boolean().optional(),
      window: duration.optional(),
      authFailures: z.number().int().positive().optional(),
      failureRatio: z.number().gt(0).max(1).optional(),
      minRequests: z.number().int().positive().optional(),
      probeEvery: duration.optional(),
    })
    .optional(),
  guard: z
    .strictObject({
      window: duration.optional(),
      maxCount: maxCount.optional(),
      maxPercent: maxPercent.optional(),
      holdHrTerminations: z.boolean({ message: 'must be true or false' }).optional(),
      allApps: guardThresholds.optional(),
      apps: z.record(z.string(), guardThresholds.extend({ window: duration.optional() })).optional(),
    })
    .optional(),
  access: z.strictObject({
    rules: z.array(
      z.strictObject({
        name: z.string().min(1),
        description: z.string().optional(),
        when: condition.optional(),
        unless: condition.optional(),
        grant: z
          .array(z.strictObject({ app: z.string().min(1), groups: z.array(z.string().min(1)).optional() }))
          .min(1),
      }),
    ),
  }),
});

/** The policy file as written (schema output, before defaults). */
export type PolicyFile = z.infer<typeof policyFileSchema>;

function resolveCondition(c: Record<string, unknown>): AccessCondition {
  const out: AccessCondition = {};
  for (const [field, v] of Object.entries(c)) out[field] = (Array.isArray(v) ? v : [v]).map(String);
  return out;
}

/** Applies POLICY_DEFAULTS; invalid durations resolve to the default (the rules pass reports them). */
export function resolvePolicy(file: PolicyFile, sourceFile: string): PolicyConfig {
  const ms = (v: string | number | undefined, fallback: number) => durationMs(v, fallback) ?? fallback;
  const perAppMs: Record<string, number> = {};
  for (const [app, v] of Object.entries(file.retention?.perApp ?? {})) perAppMs[app] = ms(v, D.retention.defaultMs);
  return {
    slas: {
      joinerMs: ms(file.slas?.joiner, D.slas.joinerMs),
      moverMs: ms(file.slas?.mover, D.slas.moverMs),
      leaverMs: ms(file.slas?.leaver, D.slas.leaverMs),
    },
    retention: { defaultMs: ms(file.retention?.default, D.retention.defaultMs), perAppMs },
    joiner: { leadTimeMs: ms(file.joiner?.leadTime, D.joiner.leadTimeMs) },
    mover: { revokeGraceMs: ms(file.mover?.revokeGrace, D.mover.revokeGraceMs) },
    leaver: {
      removeGroupMemberships: file.leaver?.removeGroupMemberships ?? D.leaver.removeGroupMemberships,
      recheckAfterMs: ms(file.leaver?.recheckAfter, D.leaver.recheckAfterMs),
    },
    access: {
      rules: file.access.rules.map((r) => ({
        name: r.name,
        when: resolveCondition(r.when ?? {}),
        ...(r.unless ? { unless: resolveCondition(r.unless) } : {}),
        grant: r.grant.map((g) => ({ app: g.app, groups: g.groups ?? [] })),
      })),
    },
    reconciliation: { everyMs: ms(file.reconciliation?.every, D.reconciliation.everyMs) },
    quarantine: {
      enabled: file.quarantine?.enabled ?? D.quarantine.enabled,
      windowMs: ms(file.quarantine?.window, D.quarantine.windowMs),
      authFailures: file.quarantine?.authFailures ?? D.quarantine.authFailures,
      failureRatio: file.quarantine?.failureRatio ?? D.quarantine.failureRatio,
      minRequests: file.quarantine?.minRequests ?? D.quarantine.minRequests,
      probeEveryMs: ms(file.quarantine?.probeEvery, D.quarantine.probeEveryMs),
    },
    guard: resolveGuard(file.guard, ms),
    notifications: file.notifications?.webhookUrl ? { webhookUrl: file.notifications.webhookUrl } : {},
    sourceFile,
  };
}

/** Per-app values override the top-level ones; a limit left out everywhere does not apply. */
function resolveGuard(
  guard: PolicyFile['guard'],
  ms: (v: string | number | undefined, fallback: number) => number,
): GuardPolicy {
  const windowMs = ms(guard?.window, D.guard.windowMs);
  const apps: GuardPolicy['apps'] = {};
  for (const [app, t] of Object.entries(guard?.apps ?? {})) {
    apps[app] = {
      ...(t.window !== undefined ? { windowMs: ms(t.window, windowMs) } : {}),
      ...(t.maxCount !== undefined ? { maxCount: t.maxCount } : {}),
      ...(t.maxPercent !== undefined ? { maxPercent: t.maxPercent } : {}),
    };
  }
  const maxCount = guard?.maxCount ?? (guard?.maxPercent === undefined ? D.guard.maxCount : undefined);
  return {
    windowMs,
    ...(maxCount !== undefined ? { maxCount } : {}),
    ...(guard?.maxPercent !== undefined ? { maxPercent: guard.maxPercent } : {}),
    holdHrTerminations: guard?.holdHrTerminations ?? D.guard.holdHrTerminations,
    allApps: { ...guard?.allApps },
    apps,
  };
}
