import { goldmane } from './generated/goldmane.js';

// The wire codec of /goldmane.Flows/Stream, used by grpc-js as the call's
// (de)serializers. Decoding never throws: bytes that are not a FlowResult come
// back as a DecodeFailure, which the source counts and skips instead of
// letting grpc-js tear the stream down (and replay the same bytes forever).

export { goldmane };

export const STREAM_METHOD = '/goldmane.Flows/Stream';

export interface DecodeFailure {
  readonly decodeError: string;
}

export type StreamMessage = goldmane.FlowResult | DecodeFailure;

export function isDecodeFailure(message: StreamMessage): message is DecodeFailure {
  return (message as DecodeFailure).decodeError !== undefined;
}

export function encodeStreamRequest(request: goldmane.FlowStreamRequest.$Properties): Buffer {
  return Buffer.from(goldmane.FlowStreamRequest.encode(request).finish());
}

export function decodeStreamRequest(bytes: Uint8Array): goldmane.FlowStreamRequest {
  return goldmane.FlowStreamRequest.decode(bytes);
}

export function encodeFlowResult(result: goldmane.FlowResult.$Properties): Buffer {
  return Buffer.from(goldmane.FlowResult.encode(result).finish());
}

export function decodeFlowResult(bytes: Uint8Array): StreamMessage {
  try {
    return goldmane.FlowResult.decode(bytes);
  } catch (error) {
    return { decodeError: (error as Error).message };
  }
}
