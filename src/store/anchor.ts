import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { sha256 } from './audit';
import { canonicalJson } from './canonical-json';
import { plural } from '../util/plural';
import type { AuditLog } from './store';

/**
 * The audit chain's anchor outside the store: checkpoints — the count of events and the hash of the last —
 * signed with an Ed25519 key the store does not hold, appended to a file the operator chooses. Whoever
 * can change the store but not the key cannot cut the trail's end or rewrite it and recompute the hashes
 * without `overt audit verify` seeing that a signed checkpoint no longer matches.
 *
 * Where: `OVERT_AUDIT_KEY` (the private key, PKCS#8 PEM) and `OVERT_AUDIT_CHECKPOINTS` (the checkpoint
 * file); by default both in a folder beside the data folder, `<data>.audit/`, never inside it.
 *
 * Whoever can write the checkpoints file can still cut its end together with the trail's: lines removed need
 * no key. So every checkpoint is also appended to each witness (`OVERT_AUDIT_WITNESS`, comma-separated
 * paths, for example on storage the store's administrators cannot write) and logged by the service
 * (`auditCheckpoint` in a JSON log line); a witness, or the saved log (`overt audit verify --witness`), is
 * read with the checkpoints file, and a checkpoint in any of them that the trail no longer reaches is a cut.
 */

export type AnchorPaths = { keyFile: string; checkpointsFile: string; witnessFiles: string[] };

export function anchorPaths(dataDir: string, env: NodeJS.ProcessEnv = process.env): AnchorPaths {
  const beside = `${resolve(dataDir)}.audit`;
  return {
    keyFile: resolve(env.OVERT_AUDIT_KEY || join(beside, 'signing-key.pem')),
    checkpointsFile: resolve(env.OVERT_AUDIT_CHECKPOINTS || join(beside, 'checkpoints.jsonl')),
    witnessFiles: (env.OVERT_AUDIT_WITNESS ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => resolve(p)),
  };
}

/**
 * Where the checkpoints go must never depend on the folder a command is run from: with a SharePoint store the
 * data folder is only a default (`./.data`), so the guide's commands run in one folder and the service in
 * another would keep two trails' anchors. A real store (SharePoint, or any store once the signing key is named)
 * needs OVERT_AUDIT_CHECKPOINTS; only the demo's default key beside its default data keeps the default.
 */
export function checkpointsSettingProblem(
  kind: 'sqlite' | 'graph',
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if ((env.OVERT_AUDIT_CHECKPOINTS ?? '').trim() !== '') return undefined;
  const keyNamed = (env.OVERT_AUDIT_KEY ?? '').trim() !== '';
  if (kind === 'graph' && keyNamed)
    return "OVERT_AUDIT_CHECKPOINTS: not set. A SharePoint store's audit checkpoints are kept in one file every command and the service share (the same OVERT_AUDIT_CHECKPOINTS as npm run serve, outside the data folder); set it before any overt command that reads or changes the store's trail";
  return undefined;
}

/**
 * A store whose trail holds events that no checkpoint here vouches for: the anchor lost or pointed elsewhere.
 * Signing over it would re-anchor a trail nobody checked, so it is refused until the operator points
 * OVERT_AUDIT_CHECKPOINTS at the file that was written, or adopts the trail deliberately (`overt audit adopt`,
 * only after the chain verifies). The message, or undefined when there is no such problem.
 */
export async function unanchoredProblem(
  anchor: Anchor,
  audit: Pick<AuditLog, 'list' | 'verify'>,
  read = anchor.read(),
): Promise<string | undefined> {
  if (read.checkpoints.length > 0) return undefined;
  // A line that is not a checkpoint, or a witness missing: a real break, for the trail's own check to name.
  if (read.problem && !read.problem.startsWith('no checkpoints at ')) return undefined;
  if ((await audit.list({ afterSeq: 0, limit: 1 })).length === 0) return undefined;
  const chain = await audit.verify({ accountErasures: false });
  const n = chain.ok ? plural(chain.count, 'event') : 'events';
  return `this store's audit trail has ${n} but no checkpoints here (${anchor.paths.checkpointsFile}): point OVERT_AUDIT_CHECKPOINTS (and OVERT_AUDIT_KEY) at the files the commands that wrote it used, or, after \`overt audit verify --unanchored\` passes, run \`overt audit adopt\` to anchor it here`;
}

/**
 * A key that signed none of the checkpoints kept here (OVERT_AUDIT_KEY pointed at another key): writing with it
 * would seal and sign what every instance holding the right key finds broken. Only when not even the first
 * checkpoint is this key's: a forged line among good ones is a break for the trail's own check to name.
 * The message, or undefined.
 */
export function foreignKeyProblem(anchor: Anchor, read = anchor.read()): string | undefined {
  if (read.checkpoints.length > 0 || !read.problem?.endsWith('is not signed by the audit key'))
    return undefined;
  return `OVERT_AUDIT_KEY: the key at ${anchor.paths.keyFile} did not sign the checkpoints at ${anchor.paths.checkpointsFile}: point OVERT_AUDIT_KEY at the key that signed them (the one every instance is given); nothing was written`;
}

/** A checkpoint as read, with the file (and line) it was read from. */
export type ReadCheckpoint = Checkpoint & { from: string };

const Hash = z.string().regex(/^[0-9a-f]{64}$/);

export const Checkpoint = z.object({
  /** How many events the trail held. */
  count: z.number().int().nonnegative(),
  /** The hash of event `count` (the genesis hash when there were none). */
  hash: Hash,
  at: z.string(),
  /** Which key signed it: the SHA-256 of its public key (DER), first 16 hex digits. */
  keyId: z.string(),
  /** Ed25519 over the canonical JSON of the other fields, base64. */
  sig: z.string(),
});
export type Checkpoint = z.infer<typeof Checkpoint>;

const signed = (c: Omit<Checkpoint, 'sig'>) =>
  Buffer.from(canonicalJson({ count: c.count, hash: c.hash, at: c.at, keyId: c.keyId }));

/** The HKDF label of the events' seal key: a key for this use only, derived from the signing key. */
const SEAL_INFO = 'overt audit event seal v1';

export class Anchor {
  readonly keyId: string;
  /** HMAC key for the events' seals (audit.ts), derived from the private key: only its holder can seal. */
  private readonly sealKey: Buffer;

  private constructor(
    readonly paths: AnchorPaths,
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
  ) {
    const der = publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = sha256(der.toString('hex')).slice(0, 16);
    const secret = privateKey.export({ type: 'pkcs8', format: 'der' });
    this.sealKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), SEAL_INFO, 32));
  }

  /** The seal of an event's hash: HMAC-SHA256 under the seal key, hex. */
  readonly sealOf = (hash: string): string =>
    createHmac('sha256', this.sealKey).update(`overt-audit-event:${hash}`).digest('hex');

  /** The seal of a row written with no audit event (rows.ts): HMAC-SHA256 under the same key, in a domain of
   * its own (an event's seal is never a row's), hex. */
  readonly rowSealOf = (text: string): string =>
    createHmac('sha256', this.sealKey).update(`overt-row:${text}`).digest('hex');

  /** The anchor at these paths; with `create`, a new key is made if there is none (the service's first
   * start). Without it, a missing key is an error value naming the path. */
  static open(
    paths: AnchorPaths,
    options: { create: boolean },
  ): { ok: true; anchor: Anchor; created: boolean } | { ok: false; message: string } {
    let created = false;
    if (!existsSync(paths.keyFile)) {
      if (!options.create)
        return {
          ok: false,
          message: `no audit signing key at ${paths.keyFile} (set OVERT_AUDIT_KEY to where the key is kept; only overt audit keygen makes one)`,
        };
      mkdirSync(dirname(paths.keyFile), { recursive: true, mode: 0o700 });
      // The checkpoints file exists before the key does, so an instance that finds the key never finds the
      // file missing ("no checkpoints") while the one that made the key has not yet signed its first.
      for (const file of [paths.checkpointsFile, ...paths.witnessFiles]) {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        appendFileSync(file, '');
      }
      const { privateKey } = generateKeyPairSync('ed25519');
      // Written whole to a file of its own, then linked into place: another instance starting at the same
      // moment sees no key or the whole key, never half of one.
      const temp = `${paths.keyFile}.${process.pid}.${Date.now()}.tmp`;
      writeFileSync(temp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      try {
        linkSync(temp, paths.keyFile);
        created = true;
      } catch (err) {
        // Another process made it first: use theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        unlinkSync(temp);
      }
    }
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(readFileSync(paths.keyFile));
    } catch (err) {
      return { ok: false, message: `${paths.keyFile}: not a private key (${(err as Error).message})` };
    }
    if (privateKey.asymmetricKeyType !== 'ed25519')
      return { ok: false, message: `${paths.keyFile}: not an Ed25519 key` };
    return { ok: true, anchor: new Anchor(paths, privateKey, createPublicKey(privateKey)), created };
  }

  /** Whether a checkpoint was signed by this key. */
  private signedByUs(c: Checkpoint): boolean {
    return c.keyId === this.keyId && verify(null, signed(c), this.publicKey, Buffer.from(c.sig, 'base64'));
  }

  /** Signs the trail's head and appends the checkpoint to the checkpoints file and to every witness. */
  checkpoint(head: { count: number; hash: string }, at: Date): Checkpoint {
    const body = { count: head.count, hash: head.hash, at: at.toISOString(), keyId: this.keyId };
    const c: Checkpoint = { ...body, sig: sign(null, signed(body), this.privateKey).toString('base64') };
    for (const file of [this.paths.checkpointsFile, ...this.paths.witnessFiles]) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      appendFileSync(file, `${JSON.stringify(c)}\n`);
    }
    return c;
  }

  /**
   * The checkpoints in the checkpoints file, in every witness, and in the `extra` files (saved service logs),
   * each checked against this key. In the checkpoints file and the witnesses every line must be a signed
   * checkpoint; in an extra file only the lines that carry one (`auditCheckpoint` in a log line) count. The
   * first line that fails is the problem; so is a missing checkpoints file or witness.
   */
  read(extra: readonly string[] = []): { checkpoints: ReadCheckpoint[]; problem?: string } {
    const checkpoints: ReadCheckpoint[] = [];
    const sources = [
      ...[this.paths.checkpointsFile, ...this.paths.witnessFiles].map((file) => ({ file, log: false })),
      ...extra.map((file) => ({ file: resolve(file), log: true })),
    ];
    for (const { file, log } of sources) {
      if (!existsSync(file))
        return {
          checkpoints,
          problem:
            file === this.paths.checkpointsFile ? `no checkpoints at ${file}` : `no witness at ${file}`,
        };
      const lines = readFileSync(file, 'utf8').split('\n');
      for (const [i, line] of lines.entries()) {
        if (line.trim() === '') continue;
        const where = `${file} line ${i + 1}`;
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          // A line cut short by a crash mid-write can only be the last; a log may hold other lines.
          if (log || i >= lines.length - 2) continue;
          return { checkpoints, problem: `${where} is not a checkpoint` };
        }
        const carried = log ? (json as { auditCheckpoint?: unknown } | null)?.auditCheckpoint : json;
        if (log && carried === undefined) continue;
        const parsed = Checkpoint.safeParse(carried);
        if (!parsed.success) return { checkpoints, problem: `${where} is not a checkpoint` };
        const c = parsed.data;
        if (!this.signedByUs(c)) return { checkpoints, problem: `${where} is not signed by the audit key` };
        checkpoints.push({ ...c, from: where });
      }
    }
    return { checkpoints };
  }

  /**
   * The checkpoints appended to the checkpoints file and the witnesses since `seen` (file → bytes read),
   * which it advances past every whole line read. A file now shorter than what was read of it was cut:
   * Overt only ever appends to it. For the running service's checks, which must not re-read every line.
   */
  readSince(seen: Map<string, number>): { checkpoints: ReadCheckpoint[]; problem?: string } {
    const checkpoints: ReadCheckpoint[] = [];
    for (const file of [this.paths.checkpointsFile, ...this.paths.witnessFiles]) {
      const before = seen.get(file) ?? 0;
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        return { checkpoints, problem: `${file}, read before, is gone` };
      }
      if (size < before)
        return {
          checkpoints,
          problem: `${file} was cut short: it held ${before} bytes of signed checkpoints, now ${size}`,
        };
      if (size === before) continue;
      const fd = openSync(file, 'r');
      let text: string;
      try {
        const buffer = Buffer.alloc(size - before);
        readSync(fd, buffer, 0, buffer.length, before);
        text = buffer.toString('utf8');
      } finally {
        closeSync(fd);
      }
      const whole = text.lastIndexOf('\n') + 1;
      for (const line of text.slice(0, whole).split('\n')) {
        if (line.trim() === '') continue;
        let parsed: ReturnType<typeof Checkpoint.safeParse>;
        try {
          parsed = Checkpoint.safeParse(JSON.parse(line));
        } catch {
          return { checkpoints, problem: `${file}: a line appended is not a checkpoint` };
        }
        const c = parsed.success ? parsed.data : undefined;
        if (!c || !this.signedByUs(c))
          return { checkpoints, problem: `${file}: a line appended is not signed by the audit key` };
        checkpoints.push({ ...c, from: file });
      }
      seen.set(file, before + Buffer.byteLength(text.slice(0, whole)));
    }
    return { checkpoints };
  }
}
