/**
 * Reads an HR event file for the CLI (`jml plan`, `jml event send`): JSON parse and schema
 * errors name the file and each field, as the intake API does for a webhook body.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { EmployeeRecordSchema, type EmployeeRecord } from './employee';
import { HrEventSchema, type HrEvent } from './event';

export class EventFileError extends Error {
  override name = 'EventFileError';
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new EventFileError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new EventFileError(`${file}: not valid JSON — ${(err as Error).message}`);
  }
}

function issues(file: string, error: z.ZodError): EventFileError {
  const lines = error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return new EventFileError(`${file}: not a valid HR event:\n${lines.join('\n')}`);
}

export async function readEventFile(file: string): Promise<HrEvent> {
  const parsed = HrEventSchema.safeParse(await readJson(file));
  if (!parsed.success) throw issues(file, parsed.error);
  return parsed.data;
}

/** An employee record, or an event whose `employee` is used (a previous snapshot). */
export async function readEmployeeFile(file: string): Promise<EmployeeRecord> {
  const json = await readJson(file);
  const record = (json as { employee?: unknown } | null)?.employee ?? json;
  const parsed = EmployeeRecordSchema.safeParse(record);
  if (!parsed.success) throw issues(file, parsed.error);
  return parsed.data;
}
