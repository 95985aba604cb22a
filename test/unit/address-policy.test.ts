/**
 * Unit tests of the target address policy (worker/net/address-policy.ts): every special-purpose range is
 * refused with its name and CIDR, range edges, public addresses allowed, IPv4-mapped and NAT64-embedded
 * addresses, invalid strings, and `allowPrivateTargets`. Addresses are only strings here: nothing is contacted.
 */

import { describe, expect, it } from "vitest";
import { type AddressDecision, checkTargetAddress } from "../../worker/net/address-policy.js";

const ALLOWED: AddressDecision = { allowed: true };
const blocked = (range: string, cidr: string): AddressDecision => ({ allowed: false, range, cidr });

const rangeCases: { name: string; input: string; expect: AddressDecision }[] = [
  // IPv4
  { name: "this network 0.0.0.0", input: "0.0.0.0", expect: blocked("this_network", "0.0.0.0/8") },
  {
    name: "this network last 0.255.255.255",
    input: "0.255.255.255",
    expect: blocked("this_network", "0.0.0.0/8"),
  },
  { name: "private 10.0.0.0", input: "10.0.0.0", expect: blocked("private", "10.0.0.0/8") },
  { name: "private 10.255.255.255", input: "10.255.255.255", expect: blocked("private", "10.0.0.0/8") },
  { name: "cgnat first 100.64.0.0", input: "100.64.0.0", expect: blocked("cgnat", "100.64.0.0/10") },
  { name: "cgnat last 100.127.255.255", input: "100.127.255.255", expect: blocked("cgnat", "100.64.0.0/10") },
  { name: "loopback 127.0.0.1", input: "127.0.0.1", expect: blocked("loopback", "127.0.0.0/8") },
  { name: "loopback 127.255.255.254", input: "127.255.255.254", expect: blocked("loopback", "127.0.0.0/8") },
  {
    name: "link local 169.254.169.254",
    input: "169.254.169.254",
    expect: blocked("link_local", "169.254.0.0/16"),
  },
  { name: "private first 172.16.0.0", input: "172.16.0.0", expect: blocked("private", "172.16.0.0/12") },
  {
    name: "private last 172.31.255.255",
    input: "172.31.255.255",
    expect: blocked("private", "172.16.0.0/12"),
  },
  { name: "ietf protocol 192.0.0.8", input: "192.0.0.8", expect: blocked("ietf_protocol", "192.0.0.0/24") },
  { name: "documentation 192.0.2.1", input: "192.0.2.1", expect: blocked("documentation", "192.0.2.0/24") },
  { name: "6to4 relay 192.88.99.1", input: "192.88.99.1", expect: blocked("6to4_relay", "192.88.99.0/24") },
  { name: "private 192.168.1.1", input: "192.168.1.1", expect: blocked("private", "192.168.0.0/16") },
  {
    name: "benchmarking first 198.18.0.0",
    input: "198.18.0.0",
    expect: blocked("benchmarking", "198.18.0.0/15"),
  },
  {
    name: "benchmarking last 198.19.255.255",
    input: "198.19.255.255",
    expect: blocked("benchmarking", "198.18.0.0/15"),
  },
  {
    name: "documentation 198.51.100.7",
    input: "198.51.100.7",
    expect: blocked("documentation", "198.51.100.0/24"),
  },
  {
    name: "documentation 203.0.113.255",
    input: "203.0.113.255",
    expect: blocked("documentation", "203.0.113.0/24"),
  },
  { name: "multicast first 224.0.0.0", input: "224.0.0.0", expect: blocked("multicast", "224.0.0.0/4") },
  {
    name: "multicast last 239.255.255.255",
    input: "239.255.255.255",
    expect: blocked("multicast", "224.0.0.0/4"),
  },
  { name: "reserved first 240.0.0.0", input: "240.0.0.0", expect: blocked("reserved", "240.0.0.0/4") },
  { name: "reserved 255.255.255.254", input: "255.255.255.254", expect: blocked("reserved", "240.0.0.0/4") },
  // Regression (was a labelling BUG): with 255.255.255.255/32 "broadcast" listed after 240.0.0.0/4 "reserved",
  // which contains it, the first match won and the limited broadcast address was reported as "reserved" /
  // "240.0.0.0/4" (the broadcast entry was dead). The more specific entry must come first.
  {
    name: "limited broadcast 255.255.255.255",
    input: "255.255.255.255",
    expect: blocked("broadcast", "255.255.255.255/32"),
  },
  // IPv6
  { name: "unspecified ::", input: "::", expect: blocked("unspecified", "::/128") },
  { name: "loopback ::1", input: "::1", expect: blocked("loopback", "::1/128") },
  { name: "loopback ::1 with zone", input: "::1%lo", expect: blocked("loopback", "::1/128") },
  {
    name: "ipv4 mapped loopback",
    input: "::ffff:127.0.0.1",
    expect: blocked("ipv4_mapped", "::ffff:0:0/96"),
  },
  { name: "ipv4 mapped public", input: "::ffff:1.1.1.1", expect: blocked("ipv4_mapped", "::ffff:0:0/96") },
  { name: "ipv4 mapped hex form", input: "::ffff:7f00:1", expect: blocked("ipv4_mapped", "::ffff:0:0/96") },
  { name: "ipv4 compatible ::7f00:1", input: "::7f00:1", expect: blocked("ipv4_compatible", "::/96") },
  { name: "ipv4 compatible ::2", input: "::2", expect: blocked("ipv4_compatible", "::/96") },
  {
    name: "local-use NAT64 64:ff9b:1::1",
    input: "64:ff9b:1::1",
    expect: blocked("translation", "64:ff9b:1::/48"),
  },
  { name: "discard 100::1", input: "100::1", expect: blocked("discard", "100::/64") },
  { name: "teredo 2001::1", input: "2001::1", expect: blocked("ietf_protocol", "2001::/23") },
  {
    name: "ietf protocol last 2001:1ff::1",
    input: "2001:1ff::1",
    expect: blocked("ietf_protocol", "2001::/23"),
  },
  {
    name: "documentation 2001:db8::1",
    input: "2001:db8::1",
    expect: blocked("documentation", "2001:db8::/32"),
  },
  { name: "6to4 2002:7f00:1::1", input: "2002:7f00:1::1", expect: blocked("6to4", "2002::/16") },
  { name: "documentation 3fff::1", input: "3fff::1", expect: blocked("documentation", "3fff::/20") },
  {
    name: "documentation last 3fff:fff::1",
    input: "3fff:fff::1",
    expect: blocked("documentation", "3fff::/20"),
  },
  { name: "srv6 5f00::1", input: "5f00::1", expect: blocked("srv6", "5f00::/16") },
  { name: "unique local fc00::1", input: "fc00::1", expect: blocked("unique_local", "fc00::/7") },
  { name: "unique local fdff::1", input: "fdff:ffff::1", expect: blocked("unique_local", "fc00::/7") },
  { name: "link local fe80::1", input: "fe80::1", expect: blocked("link_local", "fe80::/10") },
  { name: "link local with zone", input: "fe80::1%eth0", expect: blocked("link_local", "fe80::/10") },
  { name: "link local last febf::1", input: "febf::1", expect: blocked("link_local", "fe80::/10") },
  { name: "site local fec0::1", input: "fec0::1", expect: blocked("site_local", "fec0::/10") },
  { name: "multicast ff02::1", input: "ff02::1", expect: blocked("multicast", "ff00::/8") },
  { name: "upper-case IPv6", input: "FE80::1", expect: blocked("link_local", "fe80::/10") },
  // NAT64 well-known prefix: allowed unless the embedded IPv4 address is special
  {
    name: "NAT64 loopback 64:ff9b::7f00:1",
    input: "64:ff9b::7f00:1",
    expect: blocked("nat64_loopback", "127.0.0.0/8"),
  },
  {
    name: "NAT64 dotted private 64:ff9b::10.0.0.1",
    input: "64:ff9b::10.0.0.1",
    expect: blocked("nat64_private", "10.0.0.0/8"),
  },
  {
    name: "NAT64 metadata 64:ff9b::a9fe:a9fe",
    input: "64:ff9b::a9fe:a9fe",
    expect: blocked("nat64_link_local", "169.254.0.0/16"),
  },
  // non-canonical IPv4 spellings that ipaddr.js accepts are judged by the address they denote
  { name: "IPv4 as one decimal number", input: "2130706433", expect: blocked("loopback", "127.0.0.0/8") },
  { name: "IPv4 short form 127.1", input: "127.1", expect: blocked("loopback", "127.0.0.0/8") },
  { name: "IPv4 octal 0177.0.0.1", input: "0177.0.0.1", expect: blocked("loopback", "127.0.0.0/8") },
  { name: "IPv4 hex 0x7f.0.0.1", input: "0x7f.0.0.1", expect: blocked("loopback", "127.0.0.0/8") },
];

const edgeCases: { name: string; input: string; expect: AddressDecision }[] = [
  { name: "public 1.1.1.1", input: "1.1.1.1", expect: ALLOWED },
  { name: "public 8.8.8.8", input: "8.8.8.8", expect: ALLOWED },
  { name: "1.0.0.0 after this network", input: "1.0.0.0", expect: ALLOWED },
  { name: "9.255.255.255 before 10/8", input: "9.255.255.255", expect: ALLOWED },
  { name: "11.0.0.0 after 10/8", input: "11.0.0.0", expect: ALLOWED },
  { name: "100.63.255.255 before cgnat", input: "100.63.255.255", expect: ALLOWED },
  { name: "100.128.0.0 after cgnat", input: "100.128.0.0", expect: ALLOWED },
  { name: "126.255.255.255 before loopback", input: "126.255.255.255", expect: ALLOWED },
  { name: "128.0.0.0 after loopback", input: "128.0.0.0", expect: ALLOWED },
  { name: "169.253.255.255 before link local", input: "169.253.255.255", expect: ALLOWED },
  { name: "169.255.0.0 after link local", input: "169.255.0.0", expect: ALLOWED },
  { name: "172.15.255.255 before 172.16/12", input: "172.15.255.255", expect: ALLOWED },
  { name: "172.32.0.0 after 172.16/12", input: "172.32.0.0", expect: ALLOWED },
  { name: "192.0.1.255 between ietf and documentation", input: "192.0.1.255", expect: ALLOWED },
  { name: "192.0.3.0 after documentation", input: "192.0.3.0", expect: ALLOWED },
  { name: "192.167.255.255 before 192.168/16", input: "192.167.255.255", expect: ALLOWED },
  { name: "192.169.0.0 after 192.168/16", input: "192.169.0.0", expect: ALLOWED },
  { name: "198.17.255.255 before benchmarking", input: "198.17.255.255", expect: ALLOWED },
  { name: "198.20.0.0 after benchmarking", input: "198.20.0.0", expect: ALLOWED },
  { name: "198.51.99.255 before documentation", input: "198.51.99.255", expect: ALLOWED },
  { name: "203.0.114.0 after documentation", input: "203.0.114.0", expect: ALLOWED },
  { name: "223.255.255.255 before multicast", input: "223.255.255.255", expect: ALLOWED },
  { name: "public IPv6 2606:4700:4700::1111", input: "2606:4700:4700::1111", expect: ALLOWED },
  { name: "2001:200::1 after 2001::/23", input: "2001:200::1", expect: ALLOWED },
  { name: "2001:db9::1 after documentation", input: "2001:db9::1", expect: ALLOWED },
  { name: "2003::1 after 6to4", input: "2003::1", expect: ALLOWED },
  { name: "fbff::1 before unique local", input: "fbff::1", expect: ALLOWED },
  { name: "NAT64 public 64:ff9b::808:808", input: "64:ff9b::808:808", expect: ALLOWED },
  { name: "NAT64 dotted public 64:ff9b::8.8.8.8", input: "64:ff9b::8.8.8.8", expect: ALLOWED },
  { name: "outside NAT64 /96 64:ff9b::1:7f00:1", input: "64:ff9b::1:7f00:1", expect: ALLOWED },
];

const INVALID: AddressDecision = blocked("invalid", "");

const invalidCases: { name: string; input: string; expect: AddressDecision }[] = [
  { name: "empty string", input: "", expect: INVALID },
  { name: "host name", input: "mx.example.org", expect: INVALID },
  { name: "octet over 255", input: "1.2.3.256", expect: INVALID },
  { name: "five octets", input: "1.2.3.4.5", expect: INVALID },
  { name: "trailing space", input: "1.1.1.1 ", expect: INVALID },
  { name: "leading space", input: " 1.1.1.1", expect: INVALID },
  { name: "with port", input: "1.1.1.1:25", expect: INVALID },
  { name: "bracketed IPv6", input: "[::1]", expect: INVALID },
  { name: "CIDR", input: "10.0.0.0/8", expect: INVALID },
  { name: "two double colons", input: "2001::db8::1", expect: INVALID },
  { name: "non-hex IPv6", input: "fe80::g", expect: INVALID },
  { name: "too many IPv6 groups", input: "1:2:3:4:5:6:7:8:9", expect: INVALID },
  { name: "newline injected", input: "127.0.0.1\n", expect: INVALID },
];

describe("address policy", () => {
  for (const { name, input, expect: want } of rangeCases)
    it(`address policy - blocked ${name}`, () => {
      expect(checkTargetAddress(input, false)).toEqual(want);
    });

  for (const { name, input, expect: want } of edgeCases)
    it(`address policy - allowed ${name}`, () => {
      expect(checkTargetAddress(input, false)).toEqual(want);
    });

  for (const { name, input, expect: want } of invalidCases)
    it(`address policy - invalid ${name}`, () => {
      expect(checkTargetAddress(input, false)).toEqual(want);
    });

  const allowPrivateCases: { name: string; input: string; expect: AddressDecision }[] = [
    { name: "loopback 127.0.0.1", input: "127.0.0.1", expect: ALLOWED },
    { name: "private 10.1.2.3", input: "10.1.2.3", expect: ALLOWED },
    { name: "loopback ::1", input: "::1", expect: ALLOWED },
    { name: "ipv4 mapped ::ffff:127.0.0.1", input: "::ffff:127.0.0.1", expect: ALLOWED },
    { name: "NAT64 loopback", input: "64:ff9b::7f00:1", expect: ALLOWED },
    { name: "public 1.1.1.1", input: "1.1.1.1", expect: ALLOWED },
    { name: "invalid string still refused", input: "not-an-ip", expect: INVALID },
    { name: "empty string still refused", input: "", expect: INVALID },
  ];
  for (const { name, input, expect: want } of allowPrivateCases)
    it(`address policy - allowPrivate ${name}`, () => {
      expect(checkTargetAddress(input, true)).toEqual(want);
    });
});
