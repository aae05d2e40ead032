/**
 * `jml scim check`: discovery compared with the connector, then a round trip on a throw-away
 * account (create → find by externalId and userName → paging probe → update → deactivate →
 * delete per the connector), noting every way the app departs from RFC 7644 on the way.
 */
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { ConnectorConfig } from '../../config/types';
import type { EmployeeRecord } from '../../hr/employee';
import type { Logger } from '../../logger';
import { buildScimUser } from '../../mapping';
import type { SecretResolver } from '../auth';
import type { ScimClient } from '../client';
import { ScimClients } from '../registry';
import { compareCapabilities, type CapabilityRow } from './discovery';
import { probePaging, requestDeviations } from './deviations';
import { groupSteps } from './groups';
import { StepRecorder, type CheckStep } from './steps';

/** Everything `jml scim check` prints. */
export interface CheckReport {
  app: string;
  baseUrl: string;
  capabilities: CapabilityRow[];
  steps: CheckStep[];
  deviations: string[];
  /** Accounts the check left behind (`--keep`, or an app that cannot delete). */
  leftBehind: string[];
  ok: boolean;
}

export interface CheckOptions {
  logger: Logger;
  keep?: boolean;
  resolveSecret?: SecretResolver;
  dispatcherFor?: (connector: ConnectorConfig) => Dispatcher;
  /** Suffix of the throw-away account's names; random by default. */
  tag?: string;
}

/** A person who cannot be mistaken for a real one; custom HR fields the mappings read get a placeholder. */
export function throwAwayEmployee(connector: ConnectorConfig, tag: string): EmployeeRecord {
  const custom: Record<string, string> = {};
  for (const m of connector.mappings) if (m.source?.startsWith('custom.')) custom[m.source.slice(7)] = 'jml-check';
  return {
    employeeId: `jml-check-${tag}`,
    givenName: 'Jml',
    familyName: `Check ${tag}`,
    displayName: `Jml Check ${tag}`,
    workEmail: `jml-check-${tag}@example.invalid`,
    title: 'SCIM connectivity check',
    department: 'IT',
    employmentType: 'FULL_TIME',
    status: 'active',
    custom,
  };
}

/** Runs the check; never throws for app behaviour (failures are steps), only for programming errors. */
export async function runScimCheck(connector: ConnectorConfig, options: CheckOptions): Promise<CheckReport> {
  const recorder = new StepRecorder();
  const clients = new ScimClients({
    logger: options.logger,
    resolveSecret: options.resolveSecret,
    dispatcherFor: options.dispatcherFor,
    onRequest: recorder.onRequest,
  });
  const report: CheckReport = {
    app: connector.id,
    baseUrl: connector.scim.baseUrl,
    capabilities: [],
    steps: recorder.steps,
    deviations: [],
    leftBehind: [],
    ok: false,
  };
  try {
    const client = clients.get(connector);
    const discovery = await recorder.step(
      'discovery',
      () => client.discover(),
      (d) => `ResourceTypes ${d.resourceTypes ? 'served' : 'missing'}, Schemas ${d.schemas ? 'served' : 'missing'}`,
    );
    if (discovery.ok) {
      report.capabilities = compareCapabilities(
        connector,
        discovery.value.serviceProviderConfig,
        discovery.value.resourceTypes,
      );
      if (!discovery.value.resourceTypes)
        report.deviations.push('GET /ResourceTypes answered 404 (RFC 7644 §4 requires it)');
      if (!discovery.value.schemas) report.deviations.push('GET /Schemas answered 404 (RFC 7644 §4 requires it)');
    }
    await roundTrip(client, connector, recorder, report, options);
  } finally {
    await clients.close();
  }
  report.deviations.push(...requestDeviations(recorder.steps));
  report.ok = !recorder.failed && !report.capabilities.some((c) => c.verdict === 'problem');
  return report;
}

async function roundTrip(
  client: ScimClient,
  connector: ConnectorConfig,
  recorder: StepRecorder,
  report: CheckReport,
  options: CheckOptions,
): Promise<void> {
  const tag = options.tag ?? randomBytes(4).toString('hex');
  const person = throwAwayEmployee(connector, tag);
  const desired = buildScimUser(connector, person, 'create');
  const created = await recorder.step(
    'create',
    () => client.createUser(desired),
    (r) => `${r.created ? 'created' : 'adopted'} ${r.id}`,
  );
  if (!created.ok) return;
  const { id, resource } = created.value;
  if (!resource.meta?.location)
    report.deviations.push('the created user has no meta.location (RFC 7644 §3.3 expects it, with a Location header)');
  await findSteps(client, desired, id, recorder, report);
  const paging = await recorder.step('paging probe', () => probePaging(client));
  if (paging.ok) report.deviations.push(...paging.value);
  const updated = { ...person, familyName: `${person.familyName} updated`, title: 'SCIM connectivity check (updated)' };
  await recorder.step(
    'update',
    () => client.updateUser(id, buildScimUser(connector, updated, 'update')),
    (r) => (r.changed.length ? `changed ${r.changed.join(', ')}` : 'nothing to change'),
  );
  await groupSteps(client, connector, id, tag, recorder, report, options.keep ?? false);
  await deactivateStep(client, connector, id, recorder, report);
  if (options.keep) {
    report.leftBehind.push(`${id} (kept: --keep)`);
    return;
  }
  const deleted = await recorder.step(
    'delete',
    () => client.deleteUser(id),
    (r) => `${r.outcome} (delete mode ${connector.delete.mode})`,
  );
  if (!deleted.ok) {
    report.leftBehind.push(id);
    return;
  }
  const after = await recorder.step(
    'verify delete',
    () => client.getUser(id),
    (u) => (u ? `still readable, active=${String(u.active)}` : 'gone'),
  );
  if (after.ok && after.value) {
    report.leftBehind.push(`${id} (deactivated)`);
    if (deleted.value.outcome === 'deleted')
      report.deviations.push(
        'DELETE succeeded but the user is still readable: the app soft-deletes (consider delete.mode: deactivate-only)',
      );
  }
}

async function findSteps(
  client: ScimClient,
  desired: { externalId?: string; userName?: string },
  id: string,
  recorder: StepRecorder,
  report: CheckReport,
): Promise<void> {
  const describe = (u: { id?: string } | null) => (u ? `found ${u.id}` : 'not found');
  if (desired.externalId) {
    const byExt = await recorder.step(
      'find by externalId',
      () => client.findUser({ externalId: desired.externalId }),
      describe,
    );
    if (byExt.ok && byExt.value?.id !== id)
      report.deviations.push(
        'externalId eq … does not find the new user: the app ignores externalId (adoption then relies on an exact userName)',
      );
  }
  if (!desired.userName) return;
  const byName = await recorder.step(
    'find by userName',
    () => client.findUser({ userName: desired.userName }),
    describe,
  );
  if (byName.ok && byName.value?.id !== id) report.deviations.push('userName eq … does not find the new user');
  const upper = desired.userName.toUpperCase();
  const byUpper = await recorder.step(
    'find by userName, other case',
    () => client.findUser({ userName: upper }),
    describe,
  );
  if (byUpper.ok && byUpper.value?.id !== id)
    report.deviations.push('userName filters are case-sensitive (RFC 7643 §4.1.1: userName is caseExact=false)');
}

async function deactivateStep(
  client: ScimClient,
  connector: ConnectorConfig,
  id: string,
  recorder: StepRecorder,
  report: CheckReport,
): Promise<void> {
  const done = await recorder.step('deactivate', () => client.deactivateUser(id));
  if (!done.ok) return;
  const after = await recorder.step(
    'verify deactivate',
    () => client.getUser(id),
    (u) => (u ? `active=${String(u.active)}` : 'gone'),
  );
  if (!after.ok) return;
  if (!after.value && !connector.delete.deactivateIsDestructive)
    report.deviations.push(
      'active=false deleted the user, but the connector does not declare delete.deactivateIsDestructive',
    );
  else if (after.value && after.value.active !== false)
    report.deviations.push(`active=false did not stick (the user reads active=${String(after.value.active)})`);
}
