// DNS messages on the wire (RFC 1035 section 4), just what a probe needs: an
// A query for one name, and the header of the answer (id, flags, rcode,
// counts). Names are sent as written: no search list, no cache. They are
// ASCII (the configuration turns internationalized names into their IDNA
// form), so a label's length byte is its character count.

export const TYPE_A = 1;
const CLASS_IN = 1;

export interface DnsHeader {
  readonly id: number;
  /** QR: this is a response. */
  readonly response: boolean;
  /** TC: the answer did not fit (UDP); ask again over TCP. */
  readonly truncated: boolean;
  readonly rcode: number;
  readonly questions: number;
  readonly answers: number;
}

export const RCODE = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4, refused: 5 } as const;

/** The query for `name` (A, IN, recursion desired) with transaction `id`. */
export function encodeQuery(id: number, name: string, type = TYPE_A): Buffer {
  const labels = name === '.' ? [] : name.replace(/\.$/, '').split('.');
  let nameLength = 1;
  for (const label of labels) {
    if (!/^[\x21-\x7e]+$/.test(label)) throw new Error(`DNS name "${name}" has a label that is empty or not printable ASCII (internationalized names must be in IDNA form)`);
    nameLength += 1 + label.length;
  }
  const message = Buffer.alloc(12 + nameLength + 4);
  message.writeUInt16BE(id & 0xffff, 0);
  message.writeUInt16BE(0x0100, 2); // RD
  message.writeUInt16BE(1, 4); // QDCOUNT
  let offset = 12;
  for (const label of labels) {
    if (label.length > 63) throw new Error(`DNS name "${name}" has an over-long label`);
    message[offset++] = label.length;
    offset += message.write(label, offset, 'ascii');
  }
  message[offset++] = 0;
  message.writeUInt16BE(type, offset);
  message.writeUInt16BE(CLASS_IN, offset + 2);
  return message;
}

/** The header of a DNS message, or undefined when it is shorter than one. */
export function decodeHeader(message: Uint8Array): DnsHeader | undefined {
  if (message.length < 12) return undefined;
  const word = (at: number): number => (message[at]! << 8) | message[at + 1]!;
  const flags = word(2);
  return {
    id: word(0),
    response: (flags & 0x8000) !== 0,
    truncated: (flags & 0x0200) !== 0,
    rcode: flags & 0x000f,
    questions: word(4),
    answers: word(6),
  };
}

/** A message framed for TCP: its length as two bytes, then the message (RFC 1035 section 4.2.2). */
export function tcpFrame(message: Uint8Array): Buffer {
  const framed = Buffer.alloc(2 + message.length);
  framed.writeUInt16BE(message.length, 0);
  framed.set(message, 2);
  return framed;
}

/** The complete messages at the start of a TCP byte stream, and the bytes of the next, incomplete one. */
export function tcpMessages(stream: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let rest = stream;
  while (rest.length >= 2 && rest.length >= 2 + rest.readUInt16BE(0)) {
    const length = rest.readUInt16BE(0);
    messages.push(rest.subarray(2, 2 + length));
    rest = rest.subarray(2 + length);
  }
  return { messages, rest };
}
