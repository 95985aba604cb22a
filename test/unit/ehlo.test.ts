/**
 * Unit tests of EHLO reply parsing (worker/net/ehlo.ts, RFC 5321 §4.1.1.1, RFC 3207): server name, extension
 * keywords normalized to upper case with parameters kept, duplicates dropped, junk lines skipped, and STARTTLS
 * detected from the parsed keyword only (the probe sets `starttls_offered` from `keywords.has("STARTTLS")`).
 */

import { describe, expect, it } from "vitest";
import { parseEhlo } from "../../worker/net/ehlo.js";
import type { SmtpReply } from "../../worker/net/smtp-reply.js";

function ehloReply(lines: string[]): SmtpReply {
  return {
    code: 250,
    lines,
    raw: lines.map((l, i) => `250${i === lines.length - 1 ? " " : "-"}${l}`).join("\n"),
  };
}

interface Expected {
  serverName: string;
  extensions: string[];
  keywords: string[];
  starttls: boolean;
}

const cases: { name: string; input: string[]; expect: Expected }[] = [
  {
    name: "typical Postfix reply",
    input: [
      "mx.example.org",
      "PIPELINING",
      "SIZE 10240000",
      "VRFY",
      "ETRN",
      "STARTTLS",
      "ENHANCEDSTATUSCODES",
      "8BITMIME",
      "DSN",
      "SMTPUTF8",
      "CHUNKING",
    ],
    expect: {
      serverName: "mx.example.org",
      extensions: [
        "PIPELINING",
        "SIZE 10240000",
        "VRFY",
        "ETRN",
        "STARTTLS",
        "ENHANCEDSTATUSCODES",
        "8BITMIME",
        "DSN",
        "SMTPUTF8",
        "CHUNKING",
      ],
      keywords: [
        "PIPELINING",
        "SIZE",
        "VRFY",
        "ETRN",
        "STARTTLS",
        "ENHANCEDSTATUSCODES",
        "8BITMIME",
        "DSN",
        "SMTPUTF8",
        "CHUNKING",
      ],
      starttls: true,
    },
  },
  {
    name: "Exchange-style greeting with a salutation",
    input: ["EXCH01.corp.example Hello [192.0.2.7]", "SIZE 37748736", "STARTTLS", "AUTH GSSAPI NTLM"],
    expect: {
      serverName: "EXCH01.corp.example",
      extensions: ["SIZE 37748736", "STARTTLS", "AUTH GSSAPI NTLM"],
      keywords: ["SIZE", "STARTTLS", "AUTH"],
      starttls: true,
    },
  },
  {
    name: "lower-case keywords normalized",
    input: ["mx", "starttls", "pipelining", "size 1000"],
    expect: {
      serverName: "mx",
      extensions: ["STARTTLS", "PIPELINING", "SIZE 1000"],
      keywords: ["STARTTLS", "PIPELINING", "SIZE"],
      starttls: true,
    },
  },
  {
    name: "mixed-case keywords normalized",
    input: ["mx", "StartTls", "8bitMime"],
    expect: {
      serverName: "mx",
      extensions: ["STARTTLS", "8BITMIME"],
      keywords: ["STARTTLS", "8BITMIME"],
      starttls: true,
    },
  },
  {
    name: "parameters keep their case",
    input: ["mx", "auth Plain LOGIN cram-md5"],
    expect: {
      serverName: "mx",
      extensions: ["AUTH Plain LOGIN cram-md5"],
      keywords: ["AUTH"],
      starttls: false,
    },
  },
  {
    name: "parameter whitespace collapsed to one space",
    input: ["mx", "  SIZE \t 52428800  "],
    expect: { serverName: "mx", extensions: ["SIZE 52428800"], keywords: ["SIZE"], starttls: false },
  },
  {
    name: "duplicates removed, first kept",
    input: ["mx", "SIZE 1000", "STARTTLS", "size 2000", "starttls", "STARTTLS"],
    expect: {
      serverName: "mx",
      extensions: ["SIZE 1000", "STARTTLS"],
      keywords: ["SIZE", "STARTTLS"],
      starttls: true,
    },
  },
  {
    name: "no STARTTLS",
    input: ["mx.example.org", "PIPELINING", "8BITMIME"],
    expect: {
      serverName: "mx.example.org",
      extensions: ["PIPELINING", "8BITMIME"],
      keywords: ["PIPELINING", "8BITMIME"],
      starttls: false,
    },
  },
  {
    name: "XSTARTTLS does not count",
    input: ["mx", "XSTARTTLS"],
    expect: { serverName: "mx", extensions: ["XSTARTTLS"], keywords: ["XSTARTTLS"], starttls: false },
  },
  {
    name: "STARTTLSX does not count",
    input: ["mx", "STARTTLSX"],
    expect: { serverName: "mx", extensions: ["STARTTLSX"], keywords: ["STARTTLSX"], starttls: false },
  },
  {
    name: "STARTTLS as a parameter does not count",
    input: ["mx", "X-FEATURES STARTTLS"],
    expect: {
      serverName: "mx",
      extensions: ["X-FEATURES STARTTLS"],
      keywords: ["X-FEATURES"],
      starttls: false,
    },
  },
  {
    name: "STARTTLS=value is not a keyword",
    input: ["mx", "STARTTLS=yes"],
    expect: { serverName: "mx", extensions: [], keywords: [], starttls: false },
  },
  {
    name: "STARTTLS in the greeting line does not count",
    input: ["mx.example.org STARTTLS"],
    expect: { serverName: "mx.example.org", extensions: [], keywords: [], starttls: false },
  },
  {
    name: "STARTTLS as the greeting name does not count",
    input: ["STARTTLS", "PIPELINING"],
    expect: { serverName: "STARTTLS", extensions: ["PIPELINING"], keywords: ["PIPELINING"], starttls: false },
  },
  {
    name: "empty lines skipped",
    input: ["mx", "", "   ", "STARTTLS", ""],
    expect: { serverName: "mx", extensions: ["STARTTLS"], keywords: ["STARTTLS"], starttls: true },
  },
  {
    name: "junk lines skipped",
    input: ["mx", "AUTH=PLAIN LOGIN", "-LEADING-HYPHEN", "*STAR", "hello, world", "caf\u00e9", "DSN"],
    expect: { serverName: "mx", extensions: ["DSN"], keywords: ["DSN"], starttls: false },
  },
  {
    name: "keyword with hyphens and digits",
    input: ["mx", "X-EXPS GSSAPI", "X-LINK2STATE", "0DIGIT"],
    expect: {
      serverName: "mx",
      extensions: ["X-EXPS GSSAPI", "X-LINK2STATE", "0DIGIT"],
      keywords: ["X-EXPS", "X-LINK2STATE", "0DIGIT"],
      starttls: false,
    },
  },
  {
    name: "greeting only",
    input: ["mx.example.org"],
    expect: { serverName: "mx.example.org", extensions: [], keywords: [], starttls: false },
  },
  {
    name: "greeting with leading spaces",
    input: ["   mx.example.org  greets you"],
    expect: { serverName: "mx.example.org", extensions: [], keywords: [], starttls: false },
  },
  {
    name: "empty greeting line",
    input: ["", "STARTTLS"],
    expect: { serverName: "", extensions: ["STARTTLS"], keywords: ["STARTTLS"], starttls: true },
  },
  {
    name: "no lines at all",
    input: [],
    expect: { serverName: "", extensions: [], keywords: [], starttls: false },
  },
];

describe("ehlo", () => {
  for (const { name, input, expect: want } of cases)
    it(`ehlo - ${name}`, () => {
      const info = parseEhlo(ehloReply(input));
      expect({
        serverName: info.serverName,
        extensions: info.extensions,
        keywords: [...info.keywords],
        starttls: info.keywords.has("STARTTLS"),
      }).toEqual(want);
    });
});
