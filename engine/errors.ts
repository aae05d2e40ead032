/** gRPC errors the engine answers with, shaped as the SDK expects from a real server. */
import { status } from '@grpc/grpc-js';

export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new RpcError(status.NOT_FOUND, message);
export const invalidArgument = (message: string) => new RpcError(status.INVALID_ARGUMENT, message);
export const alreadyExists = (message: string) => new RpcError(status.ALREADY_EXISTS, message);
export const failedPrecondition = (message: string) => new RpcError(status.FAILED_PRECONDITION, message);
