import {
  BinaryPayloadConverter,
  CompositePayloadConverter,
  encodingKeys,
  encodingTypes,
  METADATA_ENCODING_KEY,
  UndefinedPayloadConverter,
  ValueError,
  type Payload,
  type PayloadConverterWithEncoding,
} from '@temporalio/common';

/**
 * The SDK's JSON converter, byte for byte, but with the runtime's own UTF-8 codec. The SDK's converter
 * always uses a pure-JS encoder (it was written for sandboxes without TextEncoder); Node and the workflow
 * sandbox both have the native one, and a race moves about 450 KB of JSON through the converter (the
 * agents' shared input 15 times, the synthesis and persistence arguments), so the JS codec was a visible
 * share of the workflow thread's and the main thread's CPU. JSON.stringify never emits a lone surrogate,
 * so both codecs write the same bytes: payloads, histories and replays are unchanged.
 */
class NativeJsonPayloadConverter implements PayloadConverterWithEncoding {
  readonly encodingType = encodingTypes.METADATA_ENCODING_JSON;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  toPayload(value: unknown): Payload | undefined {
    if (value === undefined) return undefined;
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch {
      return undefined;
    }
    return {
      metadata: { [METADATA_ENCODING_KEY]: encodingKeys.METADATA_ENCODING_JSON },
      data: this.encoder.encode(json),
    };
  }

  fromPayload<T>(content: Payload): T {
    if (content.data === undefined || content.data === null) throw new ValueError('Got payload with no data');
    return JSON.parse(this.decoder.decode(content.data)) as T;
  }
}

/** The default converter's order (undefined, binary, JSON) with the native JSON codec. */
export const payloadConverter = new CompositePayloadConverter(
  new UndefinedPayloadConverter(),
  new BinaryPayloadConverter(),
  new NativeJsonPayloadConverter(),
);
