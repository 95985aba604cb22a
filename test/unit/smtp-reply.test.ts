/**
 * Unit tests of the SMTP reply parser (worker/net/smtp-reply.ts): reply lines (RFC 5321 §4.2), the incremental
 * `ReplyParser` (chunking, buffering, limits, `discardPending`) and the `parseReplies` helper. Pure data.
 */

import { describe, expect, it } from "vitest";
import {
  DEFAULT_REPLY_LIMITS,
  parseReplies,
  parseReplyLine,
  type ReplyLimits,
  type ReplyParseResult,
  ReplyParser,
} from "../../worker/net/smtp-reply.js";

const SMALL: ReplyLimits = { maxLineBytes: 16, maxReplyLines: 3, maxConnectionBytes: 64 };

function reply(code: number, lines: string[], raw: string): ReplyParseResult {
  return { kind: "reply", reply: { code, lines, raw } };
}

function protocolError(detail: string): ReplyParseResult {
  return { kind: "error", error: { kind: "smtp_protocol_error", detail } };
}

function tooLong(detail: string): ReplyParseResult {
  return { kind: "error", error: { kind: "reply_too_long", detail } };
}

const NEED_MORE: ReplyParseResult = { kind: "need_more" };

/** Every result `next` gives until it says need_more or error. */
function drain(p: ReplyParser): ReplyParseResult[] {
  const out: ReplyParseResult[] = [];
  for (;;) {
    const r = p.next();
    out.push(r);
    if (r.kind !== "reply") return out;
  }
}

describe("smtp reply line", () => {
  const cases: { name: string; input: string; expect: ReturnType<typeof parseReplyLine> }[] = [
    { name: "last line with text", input: "250 OK", expect: { code: 250, last: true, text: "OK" } },
    {
      name: "continuation line",
      input: "250-PIPELINING",
      expect: { code: 250, last: false, text: "PIPELINING" },
    },
    { name: "bare code", input: "220", expect: { code: 220, last: true, text: "" } },
    { name: "code and space only", input: "354 ", expect: { code: 354, last: true, text: "" } },
    { name: "code and hyphen only", input: "250-", expect: { code: 250, last: false, text: "" } },
    {
      name: "text keeps inner spaces",
      input: "421 4.7.0  try  later ",
      expect: { code: 421, last: true, text: "4.7.0  try  later " },
    },
    { name: "5xx code", input: "554 5.7.1 no", expect: { code: 554, last: true, text: "5.7.1 no" } },
    { name: "highest valid code 599", input: "599 x", expect: { code: 599, last: true, text: "x" } },
    { name: "lowest valid code 200", input: "200 x", expect: { code: 200, last: true, text: "x" } },
    { name: "1xx code is not valid", input: "150 x", expect: null },
    { name: "6xx code is not valid", input: "600 x", expect: null },
    { name: "0xx code is not valid", input: "050 x", expect: null },
    { name: "two-digit code", input: "25 OK", expect: null },
    { name: "two-digit bare code", input: "25", expect: null },
    { name: "four-digit code", input: "2500 OK", expect: null },
    { name: "non-digit in code", input: "2x0 OK", expect: null },
    { name: "letters only", input: "HELLO", expect: null },
    { name: "empty line", input: "", expect: null },
    { name: "tab separator", input: "250\tOK", expect: null },
    { name: "leading space", input: " 250 OK", expect: null },
    { name: "full-width digits", input: "２５０ OK", expect: null },
  ];
  for (const { name, input, expect: want } of cases)
    it(`smtp reply line - ${name}`, () => {
      expect(parseReplyLine(input)).toEqual(want);
    });
});

describe("smtp reply", () => {
  const cases: { name: string; input: string; limits?: ReplyLimits; expect: ReplyParseResult[] }[] = [
    {
      name: "single line",
      input: "220 mx.example.org ESMTP Postfix\r\n",
      expect: [reply(220, ["mx.example.org ESMTP Postfix"], "220 mx.example.org ESMTP Postfix"), NEED_MORE],
    },
    {
      name: "bare code",
      input: "250\r\n",
      expect: [reply(250, [""], "250"), NEED_MORE],
    },
    {
      name: "multi-line",
      input: "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n",
      expect: [
        reply(
          250,
          ["mx.example.org", "PIPELINING", "SIZE 10240000", "STARTTLS"],
          "250-mx.example.org\n250-PIPELINING\n250-SIZE 10240000\n250 STARTTLS",
        ),
        NEED_MORE,
      ],
    },
    {
      name: "LF-only endings",
      input: "250-a\n250 b\n",
      expect: [reply(250, ["a", "b"], "250-a\n250 b"), NEED_MORE],
    },
    {
      name: "mixed CRLF and LF endings",
      input: "250-a\r\n250-b\n250 c\r\n",
      expect: [reply(250, ["a", "b", "c"], "250-a\n250-b\n250 c"), NEED_MORE],
    },
    {
      name: "only the CR right before LF is removed",
      input: "250 a\rb\r\r\n",
      expect: [reply(250, ["a\rb\r"], "250 a\rb\r"), NEED_MORE],
    },
    {
      name: "two replies in one text",
      input: "220 hi\r\n250 ok\r\n",
      expect: [reply(220, ["hi"], "220 hi"), reply(250, ["ok"], "250 ok"), NEED_MORE],
    },
    {
      name: "incomplete last line waits",
      input: "250-a\r\n250 b",
      expect: [NEED_MORE],
    },
    {
      name: "empty input",
      input: "",
      expect: [NEED_MORE],
    },
    {
      name: "code change mid-reply",
      input: "250-a\r\n251 b\r\n",
      expect: [protocolError("reply code changed within a reply: 250 then 251")],
    },
    {
      name: "code change after a complete reply is fine",
      input: "250 a\r\n251 b\r\n",
      expect: [reply(250, ["a"], "250 a"), reply(251, ["b"], "251 b"), NEED_MORE],
    },
    {
      name: "non-digit code",
      input: "2x0 OK\r\n",
      expect: [protocolError('not an SMTP reply line: "2x0 OK"')],
    },
    {
      name: "too-short code",
      input: "25 OK\r\n",
      expect: [protocolError('not an SMTP reply line: "25 OK"')],
    },
    {
      name: "1xx code",
      input: "150 go ahead\r\n",
      expect: [protocolError('not an SMTP reply line: "150 go ahead"')],
    },
    {
      name: "6xx code",
      input: "600 what\r\n",
      expect: [protocolError('not an SMTP reply line: "600 what"')],
    },
    {
      name: "empty line",
      input: "\r\n",
      expect: [protocolError('not an SMTP reply line: ""')],
    },
    {
      name: "HTTP response instead of SMTP",
      input: "HTTP/1.1 400 Bad Request\r\n",
      expect: [protocolError('not an SMTP reply line: "HTTP/1.1 400 Bad Request"')],
    },
    {
      name: "bad line after a good reply is reported after it",
      input: "220 hi\r\nGARBAGE\r\n",
      expect: [reply(220, ["hi"], "220 hi"), protocolError('not an SMTP reply line: "GARBAGE"')],
    },
    {
      name: "error detail truncates the line to 120 characters",
      input: `${"x".repeat(200)}\r\n`,
      limits: { ...DEFAULT_REPLY_LIMITS },
      expect: [protocolError(`not an SMTP reply line: "${"x".repeat(120)}"`)],
    },
    {
      name: "latin1 bytes kept as latin1 characters",
      input: "220 caf\u00e9 \u00ff\r\n",
      expect: [reply(220, ["caf\u00e9 \u00ff"], "220 caf\u00e9 \u00ff"), NEED_MORE],
    },
    {
      name: "line exactly maxLineBytes before LF is accepted",
      input: `250 ${"a".repeat(12)}\n`, // 16 bytes before the LF
      limits: SMALL,
      expect: [reply(250, ["a".repeat(12)], `250 ${"a".repeat(12)}`), NEED_MORE],
    },
    {
      name: "line longer than maxLineBytes with newline",
      input: `250 ${"a".repeat(13)}\n`, // 17 bytes before the LF
      limits: SMALL,
      expect: [tooLong("reply line longer than 16 bytes")],
    },
    {
      name: "CR counts toward maxLineBytes",
      input: `250 ${"a".repeat(12)}\r\n`, // 16 bytes of text + CR = 17 before the LF
      limits: SMALL,
      expect: [tooLong("reply line longer than 16 bytes")],
    },
    {
      name: "partial line of exactly maxLineBytes without newline waits",
      input: `250 ${"a".repeat(12)}`,
      limits: SMALL,
      expect: [NEED_MORE],
    },
    {
      name: "line longer than maxLineBytes without newline",
      input: `250 ${"a".repeat(13)}`,
      limits: SMALL,
      expect: [tooLong("reply line longer than 16 bytes")],
    },
    {
      name: "exactly maxReplyLines lines",
      input: "250-a\n250-b\n250 c\n",
      limits: SMALL,
      expect: [reply(250, ["a", "b", "c"], "250-a\n250-b\n250 c"), NEED_MORE],
    },
    {
      name: "too many lines",
      input: "250-a\n250-b\n250-c\n250 d\n",
      limits: SMALL,
      expect: [tooLong("reply with more than 3 lines")],
    },
    {
      name: "too many lines detected before the reply ends",
      input: "250-a\n250-b\n250-c\n250-d\n",
      limits: SMALL,
      expect: [tooLong("reply with more than 3 lines")],
    },
    {
      name: "connection byte cap reached exactly is fine",
      input: "250 aaaaaaaaaaa\n".repeat(4), // 4 x 16 = 64 bytes
      limits: SMALL,
      expect: [
        reply(250, ["aaaaaaaaaaa"], "250 aaaaaaaaaaa"),
        reply(250, ["aaaaaaaaaaa"], "250 aaaaaaaaaaa"),
        reply(250, ["aaaaaaaaaaa"], "250 aaaaaaaaaaa"),
        reply(250, ["aaaaaaaaaaa"], "250 aaaaaaaaaaa"),
        NEED_MORE,
      ],
    },
    {
      name: "connection byte cap exceeded",
      input: "250 aaaaaaaaaaa\n".repeat(4) + "2",
      limits: SMALL,
      expect: [tooLong("more than 64 bytes on one connection")],
    },
  ];
  for (const { name, input, limits, expect: want } of cases)
    it(`smtp reply - ${name}`, () => {
      expect(parseReplies(input, limits ?? DEFAULT_REPLY_LIMITS)).toEqual(want);
    });
});

describe("smtp reply parser", () => {
  const chunkCases: { name: string; chunks: string[]; expect: ReplyParseResult[][] }[] = [
    {
      name: "reply split byte by byte",
      chunks: [..."250-mx.example.org\r\n250 STARTTLS\r\n"],
      expect: [
        ...Array.from({ length: "250-mx.example.org\r\n250 STARTTLS\r".length }, () => [NEED_MORE]),
        [reply(250, ["mx.example.org", "STARTTLS"], "250-mx.example.org\n250 STARTTLS"), NEED_MORE],
      ],
    },
    {
      name: "CR and LF in separate chunks",
      chunks: ["220 hi\r", "\n"],
      expect: [[NEED_MORE], [reply(220, ["hi"], "220 hi"), NEED_MORE]],
    },
    {
      name: "second reply stays buffered until complete",
      chunks: ["220 hi\r\n250-a\r\n", "250 b\r\n"],
      expect: [
        [reply(220, ["hi"], "220 hi"), NEED_MORE],
        [reply(250, ["a", "b"], "250-a\n250 b"), NEED_MORE],
      ],
    },
    {
      name: "code change across chunks",
      chunks: ["250-a\r\n", "220 b\r\n"],
      expect: [[NEED_MORE], [protocolError("reply code changed within a reply: 250 then 220")]],
    },
  ];
  for (const { name, chunks, expect: want } of chunkCases)
    it(`smtp reply parser - ${name}`, () => {
      const p = new ReplyParser();
      const got = chunks.map((c) => {
        p.push(Buffer.from(c, "latin1"));
        return drain(p);
      });
      expect(got).toEqual(want);
    });

  it("smtp reply parser - two replies in one chunk: the second stays buffered", () => {
    const p = new ReplyParser();
    p.push(Buffer.from("220 hi\r\n250 ok\r\n"));
    expect(p.next()).toEqual(reply(220, ["hi"], "220 hi"));
    expect(p.pendingBytes).toBe(8);
    expect(p.partialBytes).toBe(8);
    expect(p.next()).toEqual(reply(250, ["ok"], "250 ok"));
    expect(p.pendingBytes).toBe(0);
    expect(p.next()).toEqual(NEED_MORE);
    expect(p.bytesSeen).toBe(16);
  });

  it("smtp reply parser - partialBytes counts consumed lines of an unfinished reply", () => {
    const p = new ReplyParser();
    p.push(Buffer.from("250-abc\r\n250 d"));
    expect(p.next()).toEqual(NEED_MORE);
    // "250-abc" (7, CR LF not counted) consumed into the reply + "250 d" (5) still buffered
    expect(p.partialBytes).toBe(12);
    expect(p.pendingBytes).toBe(5);
  });

  const discardCases: {
    name: string;
    before: string;
    after: string;
    discarded: number;
    expect: ReplyParseResult[];
  }[] = [
    {
      name: "discardPending drops plaintext sent after the STARTTLS reply",
      before: "220 go ahead\r\n250 injected\r\n",
      after: "250 real\r\n",
      discarded: 14,
      expect: [reply(250, ["real"], "250 real"), NEED_MORE],
    },
    {
      name: "discardPending drops a partial line",
      before: "220 go ahead\r\n250-inj",
      after: "250 real\r\n",
      discarded: 7,
      expect: [reply(250, ["real"], "250 real"), NEED_MORE],
    },
    {
      name: "discardPending with nothing pending",
      before: "220 go ahead\r\n",
      after: "250 real\r\n",
      discarded: 0,
      expect: [reply(250, ["real"], "250 real"), NEED_MORE],
    },
  ];
  for (const { name, before, after, discarded, expect: want } of discardCases)
    it(`smtp reply parser - ${name}`, () => {
      const p = new ReplyParser();
      p.push(Buffer.from(before, "latin1"));
      expect(p.next()).toEqual(reply(220, ["go ahead"], "220 go ahead"));
      expect(p.discardPending()).toBe(discarded);
      expect(p.pendingBytes).toBe(0);
      expect(p.partialBytes).toBe(0);
      p.push(Buffer.from(after, "latin1"));
      expect(drain(p)).toEqual(want);
      // discarded bytes still count toward the connection cap
      expect(p.bytesSeen).toBe(before.length + after.length);
    });

  it("smtp reply parser - connection byte cap counts bytes across replies", () => {
    const p = new ReplyParser(SMALL);
    const line = "250 aaaaaaaaaaa\n"; // 16 bytes
    const got: ReplyParseResult[] = [];
    for (let i = 0; i < 5; i++) {
      p.push(Buffer.from(line));
      got.push(p.next());
    }
    expect(got).toEqual([
      reply(250, ["aaaaaaaaaaa"], "250 aaaaaaaaaaa"),
      reply(250, ["aaaaaaaaaaa"], "250 aaaaaaaaaaa"),
      reply(250, ["aaaaaaaaaaa"], "250 aaaaaaaaaaa"),
      reply(250, ["aaaaaaaaaaa"], "250 aaaaaaaaaaa"),
      tooLong("more than 64 bytes on one connection"),
    ]);
  });

  it("smtp reply parser - an error is sticky", () => {
    const p = new ReplyParser();
    p.push(Buffer.from("XYZ\r\n"));
    const err = protocolError('not an SMTP reply line: "XYZ"');
    expect(p.next()).toEqual(err);
    p.push(Buffer.from("250 ok\r\n"));
    expect(p.next()).toEqual(err);
  });

  it("smtp reply parser - latin1 bytes kept from a Buffer", () => {
    const p = new ReplyParser();
    p.push(Buffer.from([0x32, 0x35, 0x30, 0x20, 0xe9, 0xff, 0x80, 0x0d, 0x0a]));
    expect(p.next()).toEqual(reply(250, ["\u00e9\u00ff\u0080"], "250 \u00e9\u00ff\u0080"));
  });

  it("smtp reply parser - default limits", () => {
    expect(DEFAULT_REPLY_LIMITS).toEqual({
      maxLineBytes: 4096,
      maxReplyLines: 200,
      maxConnectionBytes: 262144,
    });
  });
});
