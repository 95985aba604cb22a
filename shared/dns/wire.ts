/**
 * The one DNS message mxsurvey sends, written directly (RFC 1035 §4.1): a header with RD and one question,
 * plus an EDNS0 OPT record (RFC 6891) advertising our UDP payload size, with the DO bit (RFC 3225). The same
 * bytes dns-packet's encoder writes for that message (test/unit/dns-transport.test.ts compares them), without
 * building its object tree for every query.
 */

import type { DnsRecordType } from "./types.js";

const TYPE_CODES: Record<DnsRecordType, number> = { A: 1, CNAME: 5, MX: 15, TXT: 16, AAAA: 28, TLSA: 52 };
const CLASS_IN = 1;
const TYPE_OPT = 41;
const FLAG_RD = 0x0100;
const EDNS_DO = 0x8000;

/** `name` must already be checked (labels 1-63 bytes, 253 bytes in all); "" is the root. */
export function encodeQuery(id: number, name: string, type: DnsRecordType, udpPayloadSize: number): Buffer {
  const nameBytes = name === "" ? 1 : Buffer.byteLength(name) + 2; // length bytes + labels + root
  const buf = Buffer.allocUnsafe(12 + nameBytes + 4 + 11);
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(FLAG_RD, 2);
  buf.writeUInt16BE(1, 4); // QDCOUNT
  buf.writeUInt16BE(0, 6); // ANCOUNT
  buf.writeUInt16BE(0, 8); // NSCOUNT
  buf.writeUInt16BE(1, 10); // ARCOUNT: the OPT record
  let o = 12;
  if (name !== "") {
    let start = 0;
    for (let i = 0; i <= name.length; i++) {
      if (i === name.length || name.charCodeAt(i) === 46 /* . */) {
        const written = buf.write(name.slice(start, i), o + 1, "utf8");
        buf[o] = written;
        o += 1 + written;
        start = i + 1;
      }
    }
  }
  buf[o++] = 0; // the root label
  buf.writeUInt16BE(TYPE_CODES[type], o);
  buf.writeUInt16BE(CLASS_IN, o + 2);
  o += 4;
  buf[o++] = 0; // OPT owner: the root
  buf.writeUInt16BE(TYPE_OPT, o);
  buf.writeUInt16BE(udpPayloadSize, o + 2); // CLASS: our UDP payload size
  buf[o + 4] = 0; // extended rcode
  buf[o + 5] = 0; // EDNS version 0
  buf.writeUInt16BE(EDNS_DO, o + 6);
  buf.writeUInt16BE(0, o + 8); // RDLENGTH
  return buf;
}
