import { ResultCode } from '../errors/result-codes.js';
import { DecodeError, readHeader } from './decode.js';
import { HEADER_LENGTH, type MessageHeader } from './message.js';

/**
 * Checks a header before its message is taken off the stream. Returns a DecodeError for
 * a header that cannot be framed: then the stream is lost and the connection must close.
 */
export function checkFraming(header: MessageHeader, maxMessageBytes: number): DecodeError | undefined {
  if (header.version !== 1) {
    return new DecodeError(ResultCode.UNSUPPORTED_VERSION, `unsupported version ${header.version}`, true);
  }
  if (!framable(header.length, maxMessageBytes)) {
    return new DecodeError(
      ResultCode.INVALID_MESSAGE_LENGTH,
      `message length ${header.length} is ${header.length % 4 !== 0 ? 'not a multiple of 4' : header.length < HEADER_LENGTH ? 'shorter than a header' : `over the limit of ${maxMessageBytes}`}`,
      true,
    );
  }
  return undefined;
}

/** RFC 6733 §3: a whole number of 32-bit words, at least a header, within our limit. */
function framable(length: number, maxMessageBytes: number): boolean {
  return length >= HEADER_LENGTH && length % 4 === 0 && length <= maxMessageBytes;
}

/**
 * Splits a TCP byte stream into messages: many per read, or one across several reads.
 * Pushing bytes never throws; `next()` returns a message buffer, a fatal DecodeError (with
 * the header when one was readable, so the error can still be answered), or undefined when
 * more bytes are needed.
 */
export class FrameReader {
  private pending: Buffer | undefined;
  private offset = 0;
  private broken = false;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    if (this.pending === undefined || this.offset >= this.pending.length) {
      this.pending = chunk;
    } else {
      this.pending = Buffer.concat([this.pending.subarray(this.offset), chunk]);
    }
    this.offset = 0;
  }

  next(): Buffer | { error: DecodeError; header: MessageHeader } | undefined {
    const buf = this.pending;
    if (this.broken || buf === undefined) return undefined;
    const available = buf.length - this.offset;
    if (available < HEADER_LENGTH) return undefined;
    const length = (buf[this.offset + 1]! << 16) | (buf[this.offset + 2]! << 8) | buf[this.offset + 3]!;
    if (buf[this.offset] !== 1 || !framable(length, this.maxMessageBytes)) {
      // Only a header that cannot be framed is read whole, for its error and its answer.
      const header = readHeader(buf, this.offset);
      const error = checkFraming(header, this.maxMessageBytes);
      if (error) {
        this.broken = true;
        this.pending = undefined;
        return { error, header };
      }
    }
    if (available < length) return undefined;
    const message = buf.subarray(this.offset, this.offset + length);
    this.offset += length;
    if (this.offset === buf.length) {
      this.pending = undefined;
      this.offset = 0;
    }
    return message;
  }

  /** Bytes received but not yet framed into a message. */
  get buffered(): number {
    return this.pending === undefined ? 0 : this.pending.length - this.offset;
  }
}
