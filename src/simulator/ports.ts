/** The Diameter ports IANA assigned (RFC 6733 §2.1): TCP, and TLS over TCP. */
export const DIAMETER_PORT = 3868;
export const DIAMETER_TLS_PORT = 5658;
