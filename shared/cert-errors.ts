/** Why a certificate path did not validate: a closed vocabulary (OpenSSL's verify results mapped onto it). */
export const CERT_ERRORS = [
  "expired",
  "not_yet_valid",
  "self_signed",
  "self_signed_in_chain",
  "unknown_issuer",
  "bad_signature",
  "invalid_chain",
  "no_certificate",
  "other",
] as const;
export type CertError = (typeof CERT_ERRORS)[number];
