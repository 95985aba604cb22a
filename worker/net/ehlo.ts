/**
 * EHLO reply parsing (RFC 5321 §4.1.1.1): the first line is the server's greeting name, every further line an
 * extension keyword with optional parameters. Keywords are normalized to upper case; parameters are kept.
 * STARTTLS (RFC 3207) is detected from the parsed keyword, never by substring search of the raw text.
 */

import type { SmtpReply } from "./smtp-reply.js";

export interface EhloInfo {
  /** The name the server announced on the first line (its first word), or "" when none. */
  serverName: string;
  /** Extensions as `KEYWORD` or `KEYWORD params`, keyword upper-cased, in the server's order, deduplicated. */
  extensions: string[];
  keywords: Set<string>;
}

const KEYWORD_RE = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

export function parseEhlo(reply: SmtpReply): EhloInfo {
  const [first = "", ...rest] = reply.lines;
  const serverName = first.trim().split(/\s+/)[0] ?? "";
  const extensions: string[] = [];
  const keywords = new Set<string>();
  for (const line of rest) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    const [kw = "", ...params] = trimmed.split(/\s+/);
    if (!KEYWORD_RE.test(kw)) continue; // not an extension line; the raw reply keeps it
    const keyword = kw.toUpperCase();
    if (keywords.has(keyword)) continue;
    keywords.add(keyword);
    extensions.push(params.length > 0 ? `${keyword} ${params.join(" ")}` : keyword);
  }
  return { serverName, extensions, keywords };
}
