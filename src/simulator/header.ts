/**
 * Where the fields the simulator reads and writes by offset sit in a Diameter header
 * (RFC 6733 §3): Message Length and Command Code are 24-bit, the rest whole bytes or words.
 */
export const HeaderOffset = { length: 1, flags: 4, commandCode: 5, hopByHop: 12 } as const;

export function hopByHopOf(frame: Buffer): number {
  return frame.readUInt32BE(HeaderOffset.hopByHop);
}

export function setHopByHop(frame: Buffer, hopByHop: number): void {
  frame.writeUInt32BE(hopByHop, HeaderOffset.hopByHop);
}
