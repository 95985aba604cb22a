/**
 * What one probe task sends back across the piscina thread boundary (plain data, structured clone): the host row,
 * and what the thread measured around the probe that is not a column of the row — the bytes it read from the
 * target's sockets, counted in the thread and turned into metrics by the main thread (shared/metrics.ts).
 */

import type { HostRow } from "./schema/host-row.js";

export interface ProbeTaskResult {
  row: HostRow;
  /**
   * Bytes read from every TCP connection the probe opened to the host (the sockets' `bytesRead`: what came off
   * the wire, TLS records included, before decryption).
   */
  bytes_read: number;
}
