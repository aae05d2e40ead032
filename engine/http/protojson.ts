/**
 * Temporal's protobuf messages ⇄ protojson, the JSON of Temporal's HTTP API and UI server:
 * lowerCamelCase names, RFC 3339 timestamps, durations as "1.5s", 64-bit integers as strings,
 * bytes as base64, enums by their full names, proto3 defaults omitted. (The protobufjs
 * `toJSON()` the SDK offers is not protojson: timestamps and durations come out as objects.)
 *
 * Parsing goes the other way into the engine's decoded form (enum names, numbers, Buffers)
 * and is lenient as the gateway is: snake_case names, numbers and booleans as strings (query
 * parameters), enums by name or number.
 */
import type * as protobuf from 'protobufjs';
import type { AnyMessage, Duration, Timestamp } from '../proto';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const FLOAT_TYPES = new Set(['double', 'float']);
const WRAPPERS = new Set([
  'DoubleValue',
  'FloatValue',
  'Int64Value',
  'UInt64Value',
  'Int32Value',
  'UInt32Value',
  'BoolValue',
  'StringValue',
  'BytesValue',
]);

export class ProtoJsonError extends Error {}

function fullName(t: protobuf.Type | protobuf.Enum): string {
  return t.fullName.replace(/^\./, '');
}

// --- Timestamp and Duration ------------------------------------------------------------------

/** RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as protojson writes it. */
export function formatTimestamp(seconds: number, nanos: number): string {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${base}${fraction(nanos)}Z`;
}

function fraction(nanos: number): string {
  if (!nanos) return '';
  const digits = String(nanos).padStart(9, '0');
  if (nanos % 1_000_000 === 0) return `.${digits.slice(0, 3)}`;
  if (nanos % 1000 === 0) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

export function formatDuration(seconds: number, nanos: number): string {
  const negative = seconds < 0 || nanos < 0;
  const s = Math.abs(seconds);
  const n = Math.abs(nanos);
  return `${negative ? '-' : ''}${s}${fraction(n)}s`;
}

export function parseTimestamp(text: string): Timestamp {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  if (!m) throw new ProtoJsonError(`"${text}" is not an RFC 3339 timestamp (e.g. 2026-01-31T09:00:00Z)`);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) throw new ProtoJsonError(`"${text}" is not a valid date`);
  return { seconds: Math.floor(ms / 1000), nanos: Number((m[2] ?? '').padEnd(9, '0')) };
}

export function parseDuration(text: string): Duration {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!m) throw new ProtoJsonError(`"${text}" is not a duration (seconds with an "s" suffix, e.g. "1.5s")`);
  const sign = m[1] ? -1 : 1;
  return { seconds: sign * Number(m[2]), nanos: sign * Number((m[3] ?? '').padEnd(9, '0')) };
}

// --- message → protojson -----------------------------------------------------------------------

function isLong(v: unknown): v is { toString(): string; toNumber(): number } {
  return typeof v === 'object' && v !== null && typeof (v as { toNumber?: unknown }).toNumber === 'function';
}

function num(v: unknown): number {
  return isLong(v) ? v.toNumber() : Number(v ?? 0);
}

function scalarToJson(type: string, v: unknown): Json | undefined {
  if (LONG_TYPES.has(type)) {
    const text = isLong(v) ? v.toString() : String(v);
    return text === '0' ? undefined : text;
  }
  if (INT_TYPES.has(type)) return num(v) === 0 ? undefined : num(v);
  if (FLOAT_TYPES.has(type)) {
    const n = Number(v);
    if (n === 0) return undefined;
    return Number.isFinite(n) ? n : String(n);
  }
  if (type === 'bool') return v ? true : undefined;
  if (type === 'string') return v ? String(v) : undefined;
  if (type === 'bytes') {
    const buf = Buffer.from(v as Uint8Array);
    return buf.length ? buf.toString('base64') : undefined;
  }
  throw new ProtoJsonError(`unknown scalar type ${type}`);
}

function valueToJson(field: protobuf.Field, v: unknown, keepDefault: boolean): Json | undefined {
  const resolved = field.resolvedType;
  if (resolved && 'values' in resolved) {
    const n = typeof v === 'string' ? (resolved.values[v] ?? 0) : num(v);
    if (n === 0 && !keepDefault) return undefined;
    return resolved.valuesById[n] ?? n;
  }
  // A message field's value (plain object or message instance): read field by field.
  if (resolved) return messageToJson(resolved as protobuf.Type, v as AnyMessage);
  const out = scalarToJson(field.type, v);
  if (out !== undefined || !keepDefault) return out;
  return LONG_TYPES.has(field.type)
    ? '0'
    : field.type === 'bool'
      ? false
      : field.type === 'string' || field.type === 'bytes'
        ? ''
        : 0;
}

/** A protobufjs message (or the plain object of one) → protojson. */
export function messageToJson(type: protobuf.Type, message: AnyMessage): Json {
  const name = fullName(type);
  if (name === 'google.protobuf.Timestamp') return formatTimestamp(num(message.seconds), num(message.nanos));
  if (name === 'google.protobuf.Duration') return formatDuration(num(message.seconds), num(message.nanos));
  if (name.startsWith('google.protobuf.') && WRAPPERS.has(type.name)) {
    return valueToJson(type.fields.value!, message.value, true) ?? null;
  }
  const out: { [key: string]: Json } = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const v = message[field.name] as unknown;
    if (v === undefined || v === null) continue;
    if (field.map) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (!entries.length) continue;
      const obj: { [key: string]: Json } = {};
      for (const [k, item] of entries) obj[k] = valueToJson(field, item, true) ?? null;
      out[field.name] = obj;
    } else if (field.repeated) {
      const list = v as unknown[];
      if (!list.length) continue;
      out[field.name] = list.map((item) => valueToJson(field, item, true) ?? null);
    } else {
      // Members of a oneof and message fields have presence: written even when default.
      const keep = Boolean(field.partOf) || Boolean(field.resolvedType && !('values' in field.resolvedType));
      const json = valueToJson(field, v, keep);
      if (json !== undefined) out[field.name] = json;
    }
  }
  return out;
}

/** An engine response (plain object, possibly holding message instances) → protojson. */
export function toProtoJson(type: protobuf.Type, plain: AnyMessage): Json {
  // A message instance holds its fields as properties: read by name like a plain object.
  return messageToJson(type, type.fromObject(plain) as unknown as AnyMessage);
}

// --- protojson → decoded form -------------------------------------------------------------------

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function scalarFromJson(type: string, v: Json, path: string): unknown {
  if (LONG_TYPES.has(type) || INT_TYPES.has(type) || FLOAT_TYPES.has(type)) {
    const n = typeof v === 'number' ? v : Number(v);
    if (typeof v === 'boolean' || v === null || Number.isNaN(n))
      throw new ProtoJsonError(`${path} must be a number, not ${JSON.stringify(v)}`);
    return n;
  }
  if (type === 'bool') {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    throw new ProtoJsonError(`${path} must be true or false, not ${JSON.stringify(v)}`);
  }
  if (type === 'string') {
    if (typeof v !== 'string') throw new ProtoJsonError(`${path} must be a string, not ${JSON.stringify(v)}`);
    return v;
  }
  if (type === 'bytes') {
    if (typeof v !== 'string') throw new ProtoJsonError(`${path} must be base64 text, not ${JSON.stringify(v)}`);
    return Buffer.from(v, 'base64');
  }
  throw new ProtoJsonError(`unknown scalar type ${type}`);
}

function valueFromJson(field: protobuf.Field, v: Json, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved && 'values' in resolved) {
    if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) {
      const name = resolved.valuesById[Number(v)];
      if (name === undefined) throw new ProtoJsonError(`${path}: ${v} is not a value of ${fullName(resolved)}`);
      return name;
    }
    if (typeof v === 'string' && Object.hasOwn(resolved.values, v)) return v;
    throw new ProtoJsonError(
      `${path} must be one of ${Object.keys(resolved.values).join(', ')}; got ${JSON.stringify(v)}`,
    );
  }
  if (resolved) return messageFromJson(resolved as protobuf.Type, v, path);
  return scalarFromJson(field.type, v, path);
}

/** protojson (or query parameters nested by their dotted names) → the engine's decoded form. */
export function messageFromJson(type: protobuf.Type, json: Json, path = ''): AnyMessage {
  const name = fullName(type);
  try {
    if (name === 'google.protobuf.Timestamp' && typeof json === 'string') return parseTimestamp(json);
    if (name === 'google.protobuf.Duration' && typeof json === 'string') return parseDuration(json);
  } catch (err) {
    throw new ProtoJsonError(`${path || 'the value'}: ${(err as Error).message}`);
  }
  if (name.startsWith('google.protobuf.') && WRAPPERS.has(type.name) && (typeof json !== 'object' || json === null)) {
    return { value: valueFromJson(type.fields.value!, json, path) };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ProtoJsonError(`${path || 'the body'} must be a JSON object (${name})`);
  }
  const out: AnyMessage = {};
  for (const [key, v] of Object.entries(json)) {
    const field = type.fields[camel(key)];
    const at = path ? `${path}.${key}` : key;
    // Unknown fields are ignored, as the gateway does for fields of newer API versions.
    if (!field || v === null) continue;
    field.resolve();
    if (field.map) {
      if (typeof v !== 'object' || Array.isArray(v)) throw new ProtoJsonError(`${at} must be a JSON object`);
      out[field.name] = Object.fromEntries(
        Object.entries(v).map(([k, item]) => [k, valueFromJson(field, item, `${at}.${k}`)]),
      );
    } else if (field.repeated) {
      const list = Array.isArray(v) ? v : [v];
      out[field.name] = list.map((item, i) => valueFromJson(field, item, `${at}[${i}]`));
    } else {
      out[field.name] = valueFromJson(field, v, at);
    }
  }
  return out;
}

/** Query parameters (`execution.runId=…`, `next_page_token=…`) → a nested JSON object. */
export function paramsToJson(params: URLSearchParams): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let at = out;
    for (const part of parts.slice(0, -1)) {
      const next = at[part];
      at = (at[part] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}) as {
        [key: string]: Json;
      };
    }
    at[parts[parts.length - 1]!] = value;
  }
  return out;
}

export type { Json };
