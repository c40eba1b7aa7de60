import { z } from 'zod';
import { citations, clauseWords, officerWords } from '../vocabulary';

/** A clause as the policy page heads it: "Section 12 — its title", or its title alone when that is its name. */
function clauseHeading(id: string, title: string): string {
  const words = clauseWords(id, title);
  const said = words.charAt(0).toUpperCase() + words.slice(1);
  return words.includes(title) ? said : `${said} — ${title}`;
}
import { fingerprint } from '../policy/authority';
import { dayOf } from '../policy/days';
import { adoptedVersions } from './profile-adoption';
import { BUILTIN_IDS } from '../policy/builtin';
import { authorityLines, authorityWords, combineWords, describeCondition } from '../policy/describe';
import type { Profile } from '../policy/profile';
import type { Staff } from '../store/records';
import { actor, cmdOf, commit, refuse, replayed } from './context';
import { Id, Key, parse } from './input';
import { notesSettingId, PlatformNotes, StoredNotes } from './edited-notes';
import { fail, ok, type Deps, type Outcome } from './types';

/**
 * The policy view: each team's profile — its clauses, the rules that rest on each, and the platform privacy
 * notes with their "last checked" date. The administrator keeps the notes current: an edit is kept as a
 * setting (`platform-notes:<profile id>`) with an audit event, and shown in place of the profile's own notes.
 */

export const UpdateNotesInput = z.object({ key: Key, actorId: Id, profileId: Id, notes: PlatformNotes });

const settingId = notesSettingId;

export async function platformNotes(deps: Deps, profile: Profile) {
  const s = await deps.store.get('setting', settingId(profile.id));
  const edited = s ? StoredNotes.safeParse(s.record.value) : undefined;
  if (edited?.success)
    return { ...edited.data, cites: profile.platformNotes?.cites ?? [], source: 'edited' as const };
  return profile.platformNotes ? { ...profile.platformNotes, source: 'profile' as const } : null;
}

export interface PolicyView {
  teams: { id: string; name: string; profileId: string }[];
  profiles: {
    id: string;
    name: string;
    organisation: string;
    version: string;
    effectiveDate: string;
    source: Profile['source'];
    /** What happens when no rule decides, and the clauses that say so, as one citation in words. */
    failsClosed: { explain: string; cites: string[] };
    clauses: {
      id: string;
      /** The clause in words with its title ("Section 12 — More frequent viewing…"); `id` is the profile's key. */
      heading: string;
      title: string;
      rules: {
        id: string;
        effect: string;
        actions: string[];
        when: string;
        explain: string;
        /** Who decides, by the names the profile declares. */
        authority: string[];
      }[];
    }[];
    /** Who may act as each authority, by its declared name, and how a person comes to hold it. */
    authorities: { name: string; holders: string }[];
    /** How the verdicts of the rules that fire combine, in sentences. */
    combine: string[];
    /** The clauses no rule enforces, each with why (or that no reason is given). */
    notEnforced: { heading: string; why: string }[];
    /**
     * Every version, oldest first: for a custom profile those the data folder has adopted (the record every
     * instance reads), with any loaded here not yet adopted; when each takes effect, its fingerprint, which is
     * in force, and whether this instance has it loaded (an instance lacking one decides nothing under it).
     */
    versions: {
      version: string;
      effectiveDate: string;
      fingerprint: string;
      inForce: boolean;
      loadedHere: boolean;
      adoptedAt?: string;
    }[];
    /** Whether one of the reader's own teams works under it. */
    mine: boolean;
    platformNotes: Awaited<ReturnType<typeof platformNotes>>;
  }[];
  canEditNotes: boolean;
}

/** A profile's versions as the data folder records them, with those loaded here (see PolicyView). */
async function versionsOf(deps: Deps, p: Profile): Promise<PolicyView['profiles'][number]['versions']> {
  const loaded = deps.profileVersions(p.id);
  const adopted = await adoptedVersions(deps, p.id);
  const rows: PolicyView['profiles'][number]['versions'] = adopted.map((a) => ({
    version: a.version,
    effectiveDate: a.effectiveDate,
    fingerprint: a.fingerprint,
    inForce: false,
    loadedHere: loaded.some((v) => fingerprint(v) === a.fingerprint),
    ...(a.adoptedAt ? { adoptedAt: a.adoptedAt } : {}),
  }));
  for (const v of loaded)
    if (!rows.some((r) => r.fingerprint === fingerprint(v)))
      rows.push({
        version: v.version,
        effectiveDate: v.effectiveDate,
        fingerprint: fingerprint(v),
        inForce: false,
        loadedHere: true,
      });
  rows.sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate));
  // In force: the latest that has taken effect today (before the first has, the first), loaded here or not.
  const today = dayOf(deps.clock().toISOString(), p.timeZone);
  const current = rows.filter((r) => r.effectiveDate <= today).at(-1) ?? rows[0];
  if (current) current.inForce = true;
  return rows;
}

/** Every member of staff may read the policy that governs their work. */
export async function policyView(deps: Deps, input: { actorId: string }): Promise<Outcome<PolicyView>> {
  const staff = await actor(deps, input.actorId);
  if (!staff.ok) return staff;
  const teams = (await deps.store.query('team', {})).map((t) => t.record);
  const spans = ['service-manager', 'information-governance', 'administrator', 'authorised-officer'].includes(
    staff.value.role,
  );
  const mine = teams.filter((t) => spans || staff.value.teamIds.includes(t.id));
  // Every loaded profile (not only those in use): the reader's own teams' first, then the built-ins and the
  // custom profiles the service was given.
  const own = [...new Set(mine.map((t) => t.profileId))];
  const ids = [...new Set([...own, ...BUILTIN_IDS, ...(deps.customProfileIds ?? [])])];
  const profiles = [];
  for (const id of ids) {
    const p = deps.profiles(id);
    if (!p) continue;
    profiles.push({
      mine: own.includes(id),
      authorities: authorityLines(p),
      combine: combineWords(p),
      notEnforced: Object.entries(p.clauses)
        .filter(
          ([c]) =>
            !p.rules.some((r) => r.cites.includes(c)) &&
            !p.platformNotes?.cites.includes(c) &&
            !p.retention?.cites.includes(c),
        )
        .map(([c, title]) => ({
          heading: clauseHeading(c, officerWords(title)),
          why: p.unenforced[c] ?? 'No reason is given.',
        })),
      versions: await versionsOf(deps, p),
      id: p.id,
      name: p.name,
      organisation: p.organisation,
      version: p.version,
      effectiveDate: p.effectiveDate,
      source: p.source,
      failsClosed: { explain: officerWords(p.default.explain), cites: [citations(p.default.cites, p)] },
      clauses: Object.entries(p.clauses).map(([clause, title]) => ({
        id: clause,
        heading: clauseHeading(clause, officerWords(title)),
        title: officerWords(title),
        rules: p.rules
          .filter((r) => r.cites.includes(clause))
          .map((r) => ({
            id: r.id,
            effect: r.effect,
            actions: [...r.actions],
            when: describeCondition(r.when, p),
            explain: officerWords(r.explain),
            authority: (r.authority ?? []).map((a) => authorityWords(p, a)),
          })),
      })),
      platformNotes: await platformNotes(deps, p),
    });
  }
  return ok({
    teams: mine.map((t) => ({ id: t.id, name: t.name, profileId: t.profileId })),
    profiles,
    canEditNotes: staff.value.role === 'administrator',
  });
}

const EDITORS: Staff['role'][] = ['administrator'];

/** Notes as compared: their schema's form (defaults filled, unknown fields dropped), in a stable text. */
function sameNotes(a: { lastChecked: string; platforms: unknown }, b: PlatformNotes): boolean {
  const x = PlatformNotes.safeParse({ lastChecked: a.lastChecked, platforms: a.platforms });
  return x.success && JSON.stringify(x.data) === JSON.stringify(PlatformNotes.parse(b));
}

/** What a save did: `changed` false when the notes given are the ones in force (nothing written). */
export type SavedNotes = PlatformNotes & { changed: boolean; editedBy?: string; editedAt?: string };

/**
 * The administrator's edit of a profile's platform notes, with its audit event (before and after). Notes
 * saved as they already are change nothing: no write, no audit event, and they are not marked edited.
 */
export async function updatePlatformNotes(
  deps: Deps,
  input: z.input<typeof UpdateNotesInput>,
): Promise<Outcome<SavedNotes>> {
  const parsed = parse(UpdateNotesInput, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  const c = cmdOf('policy.platform-notes', i);
  const again = await replayed<SavedNotes>(deps, c);
  if (again) return again;
  const staff = await actor(deps, i.actorId);
  if (!staff.ok) return staff;
  const who = { id: staff.value.id, role: staff.value.role };
  const target = { kind: 'setting', id: settingId(i.profileId) };
  if (!EDITORS.includes(staff.value.role))
    return refuse(
      deps,
      c,
      { actor: who, action: 'policy.platform-notes', target },
      {
        code: 'FORBIDDEN',
        message: 'only an administrator can edit the platform notes',
      },
    );
  const profile = deps.profiles(i.profileId);
  if (!profile) return fail('NOT_FOUND', `profileId: no profile "${i.profileId}"`, 'profileId');
  const inForce = await platformNotes(deps, profile);
  if (inForce && sameNotes(inForce, i.notes)) {
    const { lastChecked, platforms } = inForce;
    const by = inForce.source === 'edited' ? { editedBy: inForce.editedBy, editedAt: inForce.editedAt } : {};
    return ok({
      lastChecked,
      platforms: PlatformNotes.parse({ lastChecked, platforms }).platforms,
      ...by,
      changed: false,
    });
  }
  const before = await deps.store.get('setting', target.id);
  const value: StoredNotes = { ...i.notes, editedBy: staff.value.id, editedAt: deps.clock().toISOString() };
  const r = await commit(
    deps,
    c,
    [
      {
        kind: 'setting',
        record: { id: target.id, value: value as never },
        ifVersion: before?.version ?? null,
      },
    ],
    [
      {
        actor: who,
        action: 'policy.platform-notes',
        target,
        outcome: 'recorded',
        profileId: profile.id,
        profileVersion: profile.version,
        cites: [...(profile.platformNotes?.cites ?? [])],
        details: {
          lastChecked: value.lastChecked,
          platforms: value.platforms.map((p) => p.platform),
          before: (before?.record.value ?? null) as never,
        },
      },
    ],
    { ...value, changed: true } as SavedNotes,
  );
  return 'conflict' in r ? fail('CONFLICT', 'the notes changed meanwhile: reload and retry') : r;
}
