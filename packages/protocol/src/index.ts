export {
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodePublication,
  encodeLivePublication,
  encodeServerFrame,
  publicationFrame,
} from './codec.js';
export type { FrameAllocator } from './codec.js';
export type {
  CloseAction,
  CloseCodeValue,
  ContinuityReasonValue,
  ErrorCodeValue,
  GoAwayReasonValue,
  StartValue,
} from './codes.js';
export {
  CloseCode,
  ContinuityReason,
  closeAction,
  ErrorCode,
  GoAwayReason,
  isRetriableError,
  PROTOCOL_VERSION,
  Start,
} from './codes.js';
export type { DecodeResult } from './protocol-error.js';
export { ProtocolError } from './protocol-error.js';
export type * from './types.js';
