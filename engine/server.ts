/**
 * gRPC plumbing: the WorkflowService, OperatorService and TestService definitions come from
 * the SDK's own protobuf root, every method is routed to the engine method of the same name,
 * and anything the engine lacks answers UNIMPLEMENTED naming the method — never a hang.
 */
import * as zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import type * as protobuf from 'protobufjs';
import type { Engine } from './engine';
import { RpcError } from './errors';
import { decode, encode, root, type AnyMessage } from './proto';

const SERVICES = [
  'temporal.api.workflowservice.v1.WorkflowService',
  'temporal.api.operatorservice.v1.OperatorService',
  'temporal.api.testservice.v1.TestService',
];

type Handler = (req: AnyMessage, cancelled: (onCancel: () => void) => void) => AnyMessage | Promise<AnyMessage>;

function serviceDefinition(serviceName: string): grpc.ServiceDefinition {
  const service = root.lookupService(serviceName);
  const def: Record<string, grpc.MethodDefinition<AnyMessage, AnyMessage>> = {};
  for (const method of Object.values(service.methods)) {
    const req = root.lookupType(method.requestType);
    const res = root.lookupType(method.responseType);
    def[method.name] = {
      path: `/${serviceName}/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (v: AnyMessage) => encode(req, v),
      requestDeserialize: (b: Buffer) => decode(req, b),
      responseSerialize: (v: AnyMessage) => encode(res, v),
      responseDeserialize: (b: Buffer) => decode(res, b),
    };
  }
  return def as grpc.ServiceDefinition;
}

function toServiceError(err: unknown, method: string): Partial<grpc.StatusObject> {
  if (err instanceof RpcError) return { code: err.code, details: err.message };
  if ((err as { grpcUnimplemented?: boolean }).grpcUnimplemented)
    return { code: grpc.status.UNIMPLEMENTED, details: (err as Error).message };
  return { code: grpc.status.INTERNAL, details: `${method}: ${(err as Error)?.message ?? String(err)}` };
}

function implementation(
  engine: Engine,
  serviceName: string,
  onError: (method: string, err: unknown) => void,
): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  const methods = Object.keys(root.lookupService(serviceName).methods);
  for (const name of methods) {
    const handler = (engine as unknown as Record<string, Handler | undefined>)[name];
    impl[name] = (call: grpc.ServerUnaryCall<AnyMessage, AnyMessage>, callback: grpc.sendUnaryData<AnyMessage>) => {
      if (typeof handler !== 'function') {
        callback({
          code: grpc.status.UNIMPLEMENTED,
          details: `${name} is not implemented by the jml embedded engine (see docs/engine.md)`,
        });
        return;
      }
      const cancelled = (onCancel: () => void) => call.on('cancelled', onCancel);
      Promise.resolve()
        .then(() => handler.call(engine, call.request, cancelled))
        .then(
          (res) => callback(null, res),
          (err: unknown) => {
            if (!(err instanceof RpcError)) onError(name, err);
            callback(toServiceError(err, name));
          },
        );
    };
  }
  return impl;
}

export interface EngineServer {
  server: grpc.Server;
  port: number;
}

type Inflate = (this: { maxReceiveMessageSize: number }, message: Buffer, encoding: string) => unknown;

/**
 * The SDK's worker sends its requests gzip-compressed, and grpc-js inflates each one through a
 * new zlib stream: a fifth of the engine's busy time under load. The requests are small, so
 * they are inflated synchronously instead (about 7× cheaper), with the same size limit and
 * the same errors. Anything but gzip/deflate, and any other grpc-js, is left alone.
 */
function inflateRequestsSynchronously(): void {
  type Internals = { BaseServerInterceptingCall?: { prototype: Record<string, unknown> } };
  const internals = require('@grpc/grpc-js/build/src/server-interceptors') as Internals;
  const proto = internals.BaseServerInterceptingCall?.prototype;
  if (!proto || typeof proto.decompressMessage !== 'function' || proto.jmlSyncInflate) return;
  const original = proto.decompressMessage as Inflate;
  const sync: Inflate = function (message, encoding) {
    if (encoding !== 'gzip' && encoding !== 'deflate') return original.call(this, message, encoding);
    const limit = this.maxReceiveMessageSize === -1 ? {} : { maxOutputLength: this.maxReceiveMessageSize };
    try {
      const body = message.subarray(5);
      return encoding === 'gzip' ? zlib.gunzipSync(body, limit) : zlib.inflateSync(body, limit);
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        const details = `Received message that decompresses to a size larger than ${this.maxReceiveMessageSize}`;
        return Promise.reject({ code: grpc.status.RESOURCE_EXHAUSTED, details });
      }
      return Promise.reject({ code: grpc.status.INTERNAL, details: 'Failed to decompress message' });
    }
  };
  proto.decompressMessage = sync;
  proto.jmlSyncInflate = true;
}

export async function serve(
  engine: Engine,
  host: string,
  port: number,
  onError: (method: string, err: unknown) => void,
): Promise<EngineServer> {
  inflateRequestsSynchronously();
  const server = new grpc.Server({
    // Channelz (grpc-js's call and socket statistics, on by default) costs closures, counters and
    // Date.now() calls on every call, and nothing reads it here.
    'grpc.enable_channelz': 0,
    'grpc.max_receive_message_length': 128 * 1024 * 1024,
    'grpc.max_send_message_length': 128 * 1024 * 1024,
  });
  for (const name of SERVICES) server.addService(serviceDefinition(name), implementation(engine, name, onError));
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    );
  });
  return { server, port: bound };
}

export type { protobuf };
