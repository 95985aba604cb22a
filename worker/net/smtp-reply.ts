/**
 * SMTP reply parsing (RFC 5321 §4.2): an incremental, bounded parser that turns bytes into complete replies.
 *
 * A reply is one or more lines `CODE-text` ... `CODE text` (or a bare `CODE`), all with the same three-digit
 * code. Lines end in CRLF; a bare LF is accepted (many servers and our own tests send it). The parser never
 * buffers more than its limits allow: a line, a reply's line count and the whole connection's bytes are capped.
 * Pure data in, pure data out: no sockets here.
 */

export interface SmtpReply {
  code: number;
  /** The text of each line, without the code and separator. */
  lines: string[];
  /** The reply as received, lines joined with "\n" (CRs removed). */
  raw: string;
}

export interface ReplyLimits {
  maxLineBytes: number;
  maxReplyLines: number;
  maxConnectionBytes: number;
}

export const DEFAULT_REPLY_LIMITS: ReplyLimits = {
  maxLineBytes: 4096,
  maxReplyLines: 200,
  maxConnectionBytes: 256 * 1024,
};

export type ReplyParseError = { kind: "smtp_protocol_error" | "reply_too_long"; detail: string };

export type ReplyParseResult =
  | { kind: "reply"; reply: SmtpReply }
  | { kind: "need_more" }
  | { kind: "error"; error: ReplyParseError };

const LINE_RE = /^([2-5][0-9][0-9])(?:([ -])(.*))?$/s;

/** Parse one reply line; null when the line is not `DDD`, `DDD text` or `DDD-text`. */
export function parseReplyLine(line: string): { code: number; last: boolean; text: string } | null {
  const m = LINE_RE.exec(line);
  if (!m) return null;
  return { code: Number(m[1]), last: m[2] !== "-", text: m[3] ?? "" };
}

/**
 * Incremental parser: `push` bytes as they arrive, then call `next` until it says `need_more`.
 * Bytes after a complete reply stay buffered for the next one (`pendingBytes` tells how many).
 */
export class ReplyParser {
  private buf: Buffer = Buffer.alloc(0);
  private lines: { code: number; text: string }[] = [];
  private rawLines: string[] = [];
  private total = 0;
  private failed: ReplyParseError | null = null;

  constructor(private readonly limits: ReplyLimits = DEFAULT_REPLY_LIMITS) {}

  /** Bytes received since the last complete reply (a drip shows up here). */
  get partialBytes(): number {
    return this.buf.length + this.rawLines.reduce((n, l) => n + l.length, 0);
  }

  get pendingBytes(): number {
    return this.buf.length;
  }

  get bytesSeen(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }

  /** Drop buffered bytes (after STARTTLS, plaintext sent ahead of the handshake must not be trusted). */
  discardPending(): number {
    const n = this.buf.length;
    this.buf = Buffer.alloc(0);
    return n;
  }

  next(): ReplyParseResult {
    if (this.failed) return { kind: "error", error: this.failed };
    if (this.total > this.limits.maxConnectionBytes) {
      return this.fail(
        "reply_too_long",
        `more than ${this.limits.maxConnectionBytes} bytes on one connection`,
      );
    }
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) {
        if (this.buf.length > this.limits.maxLineBytes) {
          return this.fail("reply_too_long", `reply line longer than ${this.limits.maxLineBytes} bytes`);
        }
        return { kind: "need_more" };
      }
      if (nl > this.limits.maxLineBytes) {
        return this.fail("reply_too_long", `reply line longer than ${this.limits.maxLineBytes} bytes`);
      }
      let end = nl;
      if (end > 0 && this.buf[end - 1] === 0x0d) end--;
      const line = this.buf.subarray(0, end).toString("latin1");
      this.buf = this.buf.subarray(nl + 1);
      const parsed = parseReplyLine(line);
      if (!parsed)
        return this.fail(
          "smtp_protocol_error",
          `not an SMTP reply line: ${JSON.stringify(line.slice(0, 120))}`,
        );
      const first = this.lines[0];
      if (first && first.code !== parsed.code) {
        return this.fail(
          "smtp_protocol_error",
          `reply code changed within a reply: ${first.code} then ${parsed.code}`,
        );
      }
      this.lines.push({ code: parsed.code, text: parsed.text });
      this.rawLines.push(line);
      if (this.lines.length > this.limits.maxReplyLines) {
        return this.fail("reply_too_long", `reply with more than ${this.limits.maxReplyLines} lines`);
      }
      if (parsed.last) {
        const reply: SmtpReply = {
          code: parsed.code,
          lines: this.lines.map((l) => l.text),
          raw: this.rawLines.join("\n"),
        };
        this.lines = [];
        this.rawLines = [];
        return { kind: "reply", reply };
      }
    }
  }

  private fail(kind: ReplyParseError["kind"], detail: string): ReplyParseResult {
    this.failed = { kind, detail };
    return { kind: "error", error: this.failed };
  }
}

/** Parse a whole text (tests, fixtures): every complete reply in it, or the first error. */
export function parseReplies(text: string, limits: ReplyLimits = DEFAULT_REPLY_LIMITS): ReplyParseResult[] {
  const p = new ReplyParser(limits);
  p.push(Buffer.from(text, "latin1"));
  const out: ReplyParseResult[] = [];
  for (;;) {
    const r = p.next();
    out.push(r);
    if (r.kind !== "reply") return out;
  }
}
