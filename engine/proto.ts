/**
 * Temporal's protobuf types as the engine uses them: requests are decoded to plain objects
 * (enums as their names, 64-bit integers as numbers) and responses are built as plain objects
 * and converted with `fromObject`, so the engine code reads like the proto definitions.
 */
import type { google, temporal } from '@temporalio/proto';
import type * as protobuf from 'protobufjs';

export const root = require('@temporalio/proto/protos/root') as protobuf.Root;

/**
 * A generated `temporal.api.*` / `google.protobuf.*` message type as the engine holds it: the
 * generated interfaces describe protobufjs instances (enums as numbers, 64-bit integers as
 * Long, absent fields as null), while `decode` yields plain objects with enums as their names,
 * 64-bit integers as numbers and absent fields left out, and `fromObject` accepts the same.
 */
export type Plain<T> = T extends null | undefined
  ? undefined
  : T extends { low: number; high: number; unsigned: boolean } // Long
    ? number
    : T extends Uint8Array
      ? Uint8Array
      : T extends number
        ? IsEnum<T> extends true
          ? string
          : number
        : T extends string | boolean
          ? T
          : T extends readonly (infer U)[]
            ? Plain<U>[]
            : T extends object
              ? { [K in keyof T]: Plain<T[K]> }
              : T;

/** A generated enum is a union of number literals; a plain `number` field accepts any number. */
type IsEnum<T extends number> = '0.5' extends `${T}` ? false : true;

export type Payload = Plain<temporal.api.common.v1.IPayload>;
export type Payloads = Plain<temporal.api.common.v1.IPayloads>;
export type Header = Plain<temporal.api.common.v1.IHeader>;
export type Memo = Plain<temporal.api.common.v1.IMemo>;
export type SearchAttributes = Plain<temporal.api.common.v1.ISearchAttributes>;
export type WorkflowExecution = Plain<temporal.api.common.v1.IWorkflowExecution>;
export type Failure = Plain<temporal.api.failure.v1.IFailure>;
export type UserMetadata = Plain<temporal.api.sdk.v1.IUserMetadata>;
export type HistoryEvent = Plain<temporal.api.history.v1.IHistoryEvent>;
export type Timestamp = Plain<google.protobuf.ITimestamp>;
export type Duration = Plain<google.protobuf.IDuration>;

/** A history event converted to its message once (histories are re-sent often); `encode` passes it through. */
export type EncodedEvent = protobuf.Message;

/** A response carrying a history, whose events go out as converted messages. */
export type WithHistory<T> = Omit<T, 'history'> & { history?: { events?: EncodedEvent[] } };

/**
 * A message whose type is known only at run time: the gRPC and HTTP layers route every method
 * by its name, and protojson walks any message by reflection. Its fields by their proto names.
 */
export type AnyMessage = { [field: string]: unknown };

const typeCache = new Map<string, protobuf.Type>();

export function protoType(fullName: string): protobuf.Type {
  let t = typeCache.get(fullName);
  if (!t) {
    t = root.lookupType(fullName);
    typeCache.set(fullName, t);
  }
  return t;
}

export function decode(type: protobuf.Type, buf: Buffer): AnyMessage {
  return type.toObject(type.decode(buf), { enums: String, longs: Number, defaults: false });
}

export function encode(type: protobuf.Type, obj: AnyMessage): Buffer {
  return Buffer.from(type.encode(type.fromObject(obj)).finish());
}

/** A history event, converted once and kept as a message instance (histories are re-sent often). */
export function historyEvent(obj: HistoryEvent): EncodedEvent {
  return protoType('temporal.api.history.v1.HistoryEvent').fromObject(obj);
}

export function timestamp(ms: number): Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/** google.protobuf.Duration (decoded) → milliseconds; absent or zero → 0. */
export function durationMs(d: Duration | undefined): number {
  if (!d) return 0;
  return Number(d.seconds ?? 0) * 1000 + Math.floor(Number(d.nanos ?? 0) / 1_000_000);
}

export function duration(ms: number): Duration {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/** Search attribute payloads are JSON (`encoding: json/plain`). */
export function decodePayload(p: Payload | undefined): unknown {
  if (!p?.data) return undefined;
  const text = Buffer.from(p.data).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function jsonPayload(value: unknown, type?: string): Payload {
  const metadata: Record<string, Uint8Array> = { encoding: Buffer.from('json/plain') };
  if (type) metadata.type = Buffer.from(type);
  return { metadata, data: Buffer.from(JSON.stringify(value)) };
}
