/**
 * Ports a browser and Node's `fetch` refuse to connect to (the Fetch standard's "bad port" list,
 * https://fetch.spec.whatwg.org/#port-blocking). A service listening on one starts happily and then nobody
 * can reach it: `fetch` fails with a bare "fetch failed", Chromium with ERR_UNSAFE_PORT. Checked where a
 * port is chosen, so the choice is refused with the reason.
 */
export const BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Why `port` cannot be used, in a sentence; undefined when it can. */
export function blockedPortProblem(port: number): string | undefined {
  return BLOCKED_PORTS.has(port)
    ? `port ${port} is one that browsers and Node's fetch refuse to connect to (the Fetch standard's blocked ports): choose another`
    : undefined;
}
