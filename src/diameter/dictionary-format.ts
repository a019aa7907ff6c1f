/**
 * The dictionary files of dictionaries/ as they are written: AVPs and commands by name, with
 * the grammars of RFC 6733 §3.2 and §4.4 as lists of names.
 */

/** RFC 6733 §4.2 basic and §4.3 derived AVP data formats. */
export type AvpType =
  | 'OctetString'
  | 'Integer32'
  | 'Integer64'
  | 'Unsigned32'
  | 'Unsigned64'
  | 'Float32'
  | 'Float64'
  | 'Grouped'
  | 'Address'
  | 'Time'
  | 'UTF8String'
  | 'DiameterIdentity'
  | 'DiameterURI'
  | 'Enumerated'
  | 'IPFilterRule';

export const AVP_TYPES: readonly AvpType[] = [
  'OctetString',
  'Integer32',
  'Integer64',
  'Unsigned32',
  'Unsigned64',
  'Float32',
  'Float64',
  'Grouped',
  'Address',
  'Time',
  'UTF8String',
  'DiameterIdentity',
  'DiameterURI',
  'Enumerated',
  'IPFilterRule',
];

/** Which AVPs a command or grouped AVP holds: the grammar of RFC 6733 §3.2 / §4.4 as data. */
export interface GrammarFile {
  /** `< AVP >`: must be first, in this order (e.g. Session-Id). */
  fixed?: string[];
  /** `{ AVP }`: must be present. */
  required?: string[];
  /** `[ AVP ]`: may be present. */
  optional?: string[];
  /** `* [ AVP ]`: any other AVP may appear (true for nearly every command). */
  extensible?: boolean;
  /** AVPs of the lists above that may occur more than once (`1*{ AVP }`, `*[ AVP ]`). */
  repeated?: string[];
}

export interface AvpFile {
  code: number;
  name: string;
  /** 0 for IETF AVPs; 10415 for 3GPP. The V bit is set exactly when this is not 0. */
  vendor?: number;
  type: AvpType;
  /** Whether we set the M bit when we send it (the "MUST" column of the AVP's flag table). */
  mandatory: boolean;
  /** Enumerated values by name. */
  values?: Record<string, number>;
  /** Grouped AVPs: the grammar of their members. */
  members?: GrammarFile;
  /** Section of the defining document, for people (e.g. "RFC 4006 §8.2"). */
  ref?: string;
}

export interface CommandFile {
  code: number;
  name: string;
  /** Application-Id in the header; 0 for the base protocol's common messages. */
  application: number;
  /** The P bit may be set (proxiable). */
  proxiable: boolean;
  request: GrammarFile;
  answer: GrammarFile;
  ref?: string;
}

export interface DictionaryFile {
  name: string;
  sources: string[];
  vendors?: { id: number; name: string }[];
  applications?: { id: number; name: string }[];
  commands?: CommandFile[];
  avps: AvpFile[];
}
