/**
 * Temporal's protobuf types as the engine uses them: requests are decoded to plain objects
 * (enums as their names, 64-bit integers as numbers) and responses are built as plain objects
 * and converted with `fromObject`, so the engine code reads like the proto definitions.
 */
import type * as protobuf from 'protobufjs';

export const root = require('@temporalio/proto/protos/root') as protobuf.Root;

/** A decoded message: the engine treats the protocol as data. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = Record<string, any>;

const typeCache = new Map<string, protobuf.Type>();

export function protoType(fullName: string): protobuf.Type {
  let t = typeCache.get(fullName);
  if (!t) {
    t = root.lookupType(fullName);
    typeCache.set(fullName, t);
  }
  return t;
}

export function decode(type: protobuf.Type, buf: Buffer): Msg {
  return type.toObject(type.decode(buf), { enums: String, longs: Number, defaults: false }) as Msg;
}

export function encode(type: protobuf.Type, obj: Msg): Buffer {
  return Buffer.from(type.encode(type.fromObject(obj)).finish());
}

/** A history event, converted once and kept as a message instance (histories are re-sent often). */
export function historyEvent(obj: Msg): protobuf.Message {
  return protoType('temporal.api.history.v1.HistoryEvent').fromObject(obj);
}

export function timestamp(ms: number): Msg {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/** google.protobuf.Duration (decoded) → milliseconds; absent or zero → 0. */
export function durationMs(d: Msg | undefined | null): number {
  if (!d) return 0;
  return Number(d.seconds ?? 0) * 1000 + Math.floor(Number(d.nanos ?? 0) / 1_000_000);
}

export function duration(ms: number): Msg {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/** Search attribute payloads are JSON (`encoding: json/plain`). */
export function decodePayload(p: Msg | undefined): unknown {
  if (!p?.data) return undefined;
  const text = Buffer.from(p.data as Uint8Array).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function jsonPayload(value: unknown, type?: string): Msg {
  const metadata: Msg = { encoding: Buffer.from('json/plain') };
  if (type) metadata.type = Buffer.from(type);
  return { metadata, data: Buffer.from(JSON.stringify(value)) };
}
