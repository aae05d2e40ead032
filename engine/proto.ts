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
  return asBuffer(encodeWithHistory(type, obj));
}

/**
 * A history goes out as its events' cached bytes, appended after the message's other fields
 * (field order is free in protobuf): a HistoryEvent has ~60 oneof fields, and re-encoding every
 * event of every task was the largest part of encoding a workflow task. The same holds one level
 * down (the workflow task in a RespondWorkflowTaskCompleted answer).
 */
function encodeWithHistory(type: protobuf.Type, obj: AnyMessage): Uint8Array {
  const historyField = historyFieldOf(type);
  const history = historyField ? (obj.history as { events?: unknown[] } | undefined) : undefined;
  const fastHistory = history?.events !== undefined && Object.keys(history).every((k) => k === 'events');
  const nested = nestedWithHistory(type).filter((f) => obj[f.name] !== undefined && obj[f.name] !== null);
  if (!fastHistory && nested.length === 0) return type.encode(type.fromObject(obj)).finish();
  const rest: AnyMessage = { ...obj };
  if (fastHistory) delete rest.history;
  for (const f of nested) delete rest[f.name];
  const writer = type.encode(type.fromObject(rest));
  if (fastHistory) {
    writer.uint32((historyField!.id << 3) | 2).fork();
    for (const event of history.events!) writer.uint32(EVENTS_TAG).bytes(eventBytes(event));
    writer.ldelim();
  }
  for (const f of nested)
    writer.uint32((f.id << 3) | 2).bytes(encodeWithHistory(f.resolvedType as protobuf.Type, obj[f.name] as AnyMessage));
  return writer.finish();
}

/** `History.events` is field 1, length-delimited. */
const EVENTS_TAG = (1 << 3) | 2;

const historyFields = new Map<protobuf.Type, protobuf.Field | undefined>();

/** The message's `history` field when it is a `temporal.api.history.v1.History` (whose only field is `events`). */
function historyFieldOf(type: protobuf.Type): protobuf.Field | undefined {
  if (historyFields.has(type)) return historyFields.get(type);
  const field = type.fields.history?.resolve();
  const history = field?.resolvedType;
  const usable =
    history?.fullName === '.temporal.api.history.v1.History' &&
    Object.keys((history as protobuf.Type).fields).join() === 'events' &&
    !field!.repeated;
  historyFields.set(type, usable ? field : undefined);
  return usable ? field : undefined;
}

const nestedFields = new Map<protobuf.Type, protobuf.Field[]>();

/** The message's singular fields whose own type carries a history (a workflow task in a completion's answer). */
function nestedWithHistory(type: protobuf.Type): protobuf.Field[] {
  let fields = nestedFields.get(type);
  if (!fields) {
    fields = type.fieldsArray.filter((f) => {
      const resolved = f.resolve().resolvedType;
      return !f.repeated && !f.map && resolved instanceof protoTypeClass() && historyFieldOf(resolved) !== undefined;
    });
    nestedFields.set(type, fields);
  }
  return fields;
}

function protoTypeClass(): typeof protobuf.Type {
  return root.lookupType('temporal.api.history.v1.History').constructor as typeof protobuf.Type;
}

/** protobufjs's Node writer already yields a Buffer: copy only when it did not. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const encodedEvents = new WeakMap<object, Uint8Array>();

/** An event's wire bytes, encoded once: history events never change once appended. */
export function eventBytes(event: unknown): Uint8Array {
  const eventType = protoType('temporal.api.history.v1.HistoryEvent');
  const message = (event instanceof eventType.ctor ? event : eventType.fromObject(event as AnyMessage)) as object;
  let bytes = encodedEvents.get(message);
  if (!bytes) {
    bytes = eventType.encode(message).finish();
    encodedEvents.set(message, bytes);
  }
  return bytes;
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
