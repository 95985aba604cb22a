/**
 * A strict, minimal reader of one DER X.509 certificate (RFC 5280 §4.1): where the fields are and the few
 * values cert-facts.ts needs read straight from the bytes — the signature algorithm OID, the validity times,
 * the DNS names of the first subjectAltName extension, the subject's first CN. It answers only for plain
 * certificates and returns null for anything it does not read exactly as @peculiar/x509 would (BER or
 * non-minimal lengths, multi-byte tags, time forms other than YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ, GeneralName
 * forms other than rfc822Name, dNSName, URI and a 4- or 16-byte iPAddress, non-ASCII names, OIDs with arcs past
 * 2^49), and the caller then parses in full. It never throws.
 */

interface Tlv {
  tag: number;
  /** Offset of the content. */
  start: number;
  /** Offset just past the content. */
  end: number;
  /** Offset of the tag byte. */
  at: number;
}

/** One TLV at `off`, within `limit`; null unless it is single-byte-tag, definite, minimal-length DER. */
function tlv(b: Uint8Array, off: number, limit: number): Tlv | null {
  if (off + 2 > limit) return null;
  const tag = b[off]!;
  if ((tag & 0x1f) === 0x1f) return null;
  let len = b[off + 1]!;
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    if (b[start] === 0 || len < 0x80) return null; // not minimal
    start += n;
  }
  const end = start + len;
  if (end > limit) return null;
  return { tag, start, end, at: off };
}

/** The children of a constructed TLV, or null when they do not tile its content exactly. */
function children(b: Uint8Array, t: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  let off = t.start;
  while (off < t.end) {
    const c = tlv(b, off, t.end);
    if (!c) return null;
    out.push(c);
    off = c.end;
  }
  return out;
}

/** Dotted OID from its content bytes; null past 7 bytes per arc (asn1js turns to BigInt there). */
function oid(b: Uint8Array, t: Tlv): string | null {
  if (t.tag !== 0x06 || t.end === t.start) return null;
  const arcs: number[] = [];
  let v = 0;
  let bytes = 0;
  for (let i = t.start; i < t.end; i++) {
    const x = b[i]!;
    if (bytes === 0 && x === 0x80) return null; // non-minimal arc
    v = v * 128 + (x & 0x7f);
    bytes++;
    if (bytes > 7) return null;
    if (!(x & 0x80)) {
      arcs.push(v);
      v = 0;
      bytes = 0;
    }
  }
  if (bytes !== 0) return null;
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join(".");
}

/** The content as a string when every byte is ASCII (where every ASN.1 string decoder agrees); else null. */
function ascii(b: Uint8Array, t: Tlv): string | null {
  let s = "";
  for (let i = t.start; i < t.end; i++) {
    const x = b[i]!;
    if (x >= 0x80) return null;
    s += String.fromCharCode(x);
  }
  return s;
}

const digits = (s: string, i: number, n: number) => Number(s.slice(i, i + n));

/** UTCTime YYMMDDHHMMSSZ (1950-2049) or GeneralizedTime YYYYMMDDHHMMSSZ, as ms since the epoch; else null. */
function time(b: Uint8Array, t: Tlv): number | null {
  const s = ascii(b, t);
  if (s === null) return null;
  let year: number;
  let rest: string;
  if (t.tag === 0x17 && /^\d{12}Z$/.test(s)) {
    const yy = digits(s, 0, 2);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = s.slice(2);
  } else if (t.tag === 0x18 && /^\d{14}Z$/.test(s)) {
    year = digits(s, 0, 4);
    if (year < 1000) return null;
    rest = s.slice(4);
  } else return null;
  const [mo, d, h, mi, se] = [0, 2, 4, 6, 8].map((i) => digits(rest, i, 2)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return null;
  return Date.UTC(year, mo - 1, d, h, mi, se);
}

export interface DerCertificate {
  sigAlgOid: string;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  /** The subject's first CN: absent, plain ASCII in a Printable/UTF8/IA5String, or other (parse the Name). */
  subjectCn: { kind: "none" } | { kind: "plain"; value: string } | { kind: "other" };
  notBefore: number;
  notAfter: number;
  /** SubjectPublicKeyInfo, DER. */
  spki: Uint8Array;
  /** dNSName entries of the first subjectAltName extension, in order; [] without one. */
  dnsSans: string[];
}

const OID_CN = "2.5.4.3";
const OID_SAN = "2.5.29.17";

function firstCn(b: Uint8Array, name: Tlv): DerCertificate["subjectCn"] | null {
  const rdns = children(b, name);
  if (!rdns) return null;
  for (const rdn of rdns) {
    if (rdn.tag !== 0x31) return null;
    const atvs = children(b, rdn);
    if (!atvs) return null;
    for (const atv of atvs) {
      if (atv.tag !== 0x30) return null;
      const parts = children(b, atv);
      if (parts?.length !== 2) return null;
      const type = oid(b, parts[0]!);
      if (type === null) return null;
      if (type !== OID_CN) continue;
      const v = parts[1]!;
      // PrintableString, UTF8String, IA5String
      if (v.tag === 0x13 || v.tag === 0x0c || v.tag === 0x16) {
        const s = ascii(b, v);
        if (s !== null) return { kind: "plain", value: s };
      }
      return { kind: "other" };
    }
  }
  return { kind: "none" };
}

/** DNS names of a GeneralNames (RFC 5280 §4.2.1.6) value; null on any form left to the full parse. */
function dnsNames(b: Uint8Array, octets: Tlv): string[] | null {
  const seq = tlv(b, octets.start, octets.end);
  if (seq?.tag !== 0x30 || seq.end !== octets.end) return null;
  const names = children(b, seq);
  if (!names) return null;
  const out: string[] = [];
  for (const n of names) {
    if (n.tag === 0x82) {
      const s = ascii(b, n);
      if (s === null) return null;
      out.push(s);
    } else if (n.tag === 0x81 || n.tag === 0x86) {
      if (ascii(b, n) === null) return null;
    } else if (n.tag === 0x87) {
      const len = n.end - n.start;
      if (len !== 4 && len !== 16) return null;
    } else return null;
  }
  return out;
}

function read(b: Uint8Array): DerCertificate | null {
  const cert = tlv(b, 0, b.length);
  if (cert?.tag !== 0x30 || cert.end !== b.length) return null;
  const top = children(b, cert);
  if (top?.length !== 3) return null;
  const [tbs, sigAlg, sigValue] = top as [Tlv, Tlv, Tlv];
  if (tbs.tag !== 0x30 || sigAlg.tag !== 0x30 || sigValue.tag !== 0x03) return null;
  const algParts = children(b, sigAlg);
  if (!algParts || algParts.length < 1 || algParts.length > 2) return null;
  const sigAlgOid = oid(b, algParts[0]!);
  if (sigAlgOid === null) return null;

  const f = children(b, tbs);
  if (!f) return null;
  let i = 0;
  if (f[i]?.tag === 0xa0) i++; // [0] version
  const [serial, innerAlg, issuer, validity, subject, spki] = f.slice(i, i + 6);
  if (serial?.tag !== 0x02 || !innerAlg || innerAlg.tag !== 0x30) return null;
  if (issuer?.tag !== 0x30 || !validity || validity.tag !== 0x30) return null;
  if (subject?.tag !== 0x30 || !spki || spki.tag !== 0x30) return null;
  i += 6;
  if (f[i]?.tag === 0x81) i++; // [1] issuerUniqueID
  if (f[i]?.tag === 0x82) i++; // [2] subjectUniqueID
  const exts = f[i]?.tag === 0xa3 ? f[i++] : undefined;
  if (i !== f.length) return null;

  const times = children(b, validity);
  if (times?.length !== 2) return null;
  const notBefore = time(b, times[0]!);
  const notAfter = time(b, times[1]!);
  if (notBefore === null || notAfter === null) return null;

  const subjectCn = firstCn(b, subject);
  if (!subjectCn) return null;

  let dnsSans: string[] = [];
  if (exts) {
    const list = tlv(b, exts.start, exts.end);
    if (list?.tag !== 0x30 || list.end !== exts.end) return null;
    const items = children(b, list);
    if (!items) return null;
    for (const ext of items) {
      if (ext.tag !== 0x30) return null;
      const parts = children(b, ext);
      if (!parts || parts.length < 2 || parts.length > 3) return null;
      const id = oid(b, parts[0]!);
      if (id === null) return null;
      if (id !== OID_SAN) continue;
      const value = parts[parts.length - 1]!;
      if (value.tag !== 0x04 || (parts.length === 3 && parts[1]!.tag !== 0x01)) return null;
      const names = dnsNames(b, value);
      if (!names) return null;
      dnsSans = names;
      break;
    }
  }

  return {
    sigAlgOid,
    issuerDer: b.subarray(issuer.at, issuer.end),
    subjectDer: b.subarray(subject.at, subject.end),
    subjectCn,
    notBefore,
    notAfter,
    spki: b.subarray(spki.at, spki.end),
    dnsSans,
  };
}

/** The fields of one DER certificate, or null when it is not a plain one (the caller then parses in full). */
export function readCertificate(der: Uint8Array): DerCertificate | null {
  try {
    return read(der);
  } catch {
    return null;
  }
}
