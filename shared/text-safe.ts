/**
 * Text a server sent (greetings, EHLO replies, certificate names, error details), made safe for a terminal:
 * every control character that a terminal acts on is shown escaped instead of passed through, so a hostile MX
 * cannot send escape sequences (clear the screen, set the window title, fake a line of our output) to the
 * operator's terminal. Only the text renderer uses it; JSON output keeps the server's text as it was.
 *
 * Escaped: C0 controls other than newline and tab (ESC, BEL, CR, backspace ...) and DEL as `\xHH`; C1 controls
 * (U+0080–U+009F: a lone 0x9B is CSI on 8-bit terminals) as `\xHH`; the Unicode bidirectional overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069, "Trojan Source") and the line and paragraph separators
 * (U+2028, U+2029) as `\uHHHH`. Everything else, non-ASCII letters included, is kept.
 */

const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escaped(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `s` with every terminal control escaped (see the module comment); newlines and tabs kept. */
export function safeText(s: string): string {
  return s.replace(UNSAFE, escaped);
}
