export { startHttpApi, type HttpApiHandle, type HttpApiOptions } from './server';
