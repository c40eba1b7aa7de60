import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { sha256 } from './audit';
import { canonicalJson } from './canonical-json';

/**
 * The audit chain's anchor outside the store: checkpoints — the count of events and the hash of the last —
 * signed with an Ed25519 key the store does not hold, appended to a file the operator chooses. Whoever
 * can change the store but not the key cannot cut the trail's end or rewrite it and recompute the hashes
 * without `overt audit verify` seeing that a signed checkpoint no longer matches.
 *
 * Where: `OVERT_AUDIT_KEY` (the private key, PKCS#8 PEM) and `OVERT_AUDIT_CHECKPOINTS` (the checkpoint
 * file); by default both in a folder beside the data folder, `<data>.audit/`, never inside it.
 */

export type AnchorPaths = { keyFile: string; checkpointsFile: string };

export function anchorPaths(dataDir: string, env: NodeJS.ProcessEnv = process.env): AnchorPaths {
  const beside = `${resolve(dataDir)}.audit`;
  return {
    keyFile: resolve(env.OVERT_AUDIT_KEY || join(beside, 'signing-key.pem')),
    checkpointsFile: resolve(env.OVERT_AUDIT_CHECKPOINTS || join(beside, 'checkpoints.jsonl')),
  };
}

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

export class Anchor {
  readonly keyId: string;

  private constructor(
    readonly paths: AnchorPaths,
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
  ) {
    const der = publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = sha256(der.toString('hex')).slice(0, 16);
  }

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
          message: `no audit signing key at ${paths.keyFile} (set OVERT_AUDIT_KEY to where the key is kept)`,
        };
      mkdirSync(dirname(paths.keyFile), { recursive: true, mode: 0o700 });
      // The checkpoints file exists before the key does, so an instance that finds the key never finds the
      // file missing ("no checkpoints") while the one that made the key has not yet signed its first.
      mkdirSync(dirname(paths.checkpointsFile), { recursive: true, mode: 0o700 });
      appendFileSync(paths.checkpointsFile, '');
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

  /** Signs the trail's head and appends the checkpoint to the file. */
  checkpoint(head: { count: number; hash: string }, at: Date): Checkpoint {
    const body = { count: head.count, hash: head.hash, at: at.toISOString(), keyId: this.keyId };
    const c: Checkpoint = { ...body, sig: sign(null, signed(body), this.privateKey).toString('base64') };
    mkdirSync(dirname(this.paths.checkpointsFile), { recursive: true, mode: 0o700 });
    appendFileSync(this.paths.checkpointsFile, `${JSON.stringify(c)}\n`);
    return c;
  }

  /** The checkpoints in the file, each checked against this key; the first line that fails is a problem. */
  read(): { checkpoints: Checkpoint[]; problem?: string } {
    if (!existsSync(this.paths.checkpointsFile))
      return { checkpoints: [], problem: `no checkpoints at ${this.paths.checkpointsFile}` };
    const lines = readFileSync(this.paths.checkpointsFile, 'utf8').split('\n');
    const checkpoints: Checkpoint[] = [];
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      const where = `${this.paths.checkpointsFile} line ${i + 1}`;
      let parsed: ReturnType<typeof Checkpoint.safeParse>;
      try {
        parsed = Checkpoint.safeParse(JSON.parse(line));
      } catch {
        // A line cut short by a crash mid-write can only be the last.
        if (i >= lines.length - 2) continue;
        return { checkpoints, problem: `${where} is not a checkpoint` };
      }
      if (!parsed.success) return { checkpoints, problem: `${where} is not a checkpoint` };
      const c = parsed.data;
      const good =
        c.keyId === this.keyId && verify(null, signed(c), this.publicKey, Buffer.from(c.sig, 'base64'));
      if (!good) return { checkpoints, problem: `${where} is not signed by the audit key` };
      checkpoints.push(c);
    }
    return { checkpoints };
  }
}
