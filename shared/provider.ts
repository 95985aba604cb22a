/**
 * The provider of an MX host: its registrable domain under the Public Suffix List, so `mx1.google.com` and
 * `aspmx.l.google.com` both count as `google.com` and `mail.example.co.uk` as `example.co.uk`.
 *
 * The list is tldts's copy of the PSL (updated with each tldts release). Only the list's ICANN section is used
 * (`allowPrivateDomains: false`), deliberately: its private section names domains under which customers get
 * their own names (`herokuapp.com`, `blogspot.com`, regional `amazonaws.com` zones), so with it Amazon SES's
 * `inbound-smtp.us-east-1.amazonaws.com` would be a provider of its own per region and every Heroku app another.
 * The question here is who runs the mail server, which is the organisation that registered the name:
 * `amazonaws.com`, `herokuapp.com`.
 *
 * Null when there is no registrable domain: an IP address (bracketed or not), a bare public suffix (`com`, `co.uk`), a single label.
 * A name under a TLD the list does not know (the lab's `.test`) falls to the PSL's default rule `*`: its last
 * two labels.
 */

import { getDomain } from "tldts";

const OPTIONS = {
  allowPrivateDomains: false,
  detectIp: true,
  extractHostname: false,
  validateHostname: true,
  mixedInputs: false,
} as const;

/** Dot-separated labels of letters, digits, `-` and `_` (A-labels: lower case ASCII). */
const HOST_NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

export function mxProvider(hostname: string): string | null {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  // Only a host name: tldts would read `[192.0.2.25]` (an IP-literal MX target) as a name ending `2.25]`.
  if (!HOST_NAME.test(name)) return null;
  return getDomain(name, OPTIONS);
}
