/**
 * Property-based tests (issue 12, "Also build") with fast-check: arbitrary bot invoke payloads, API bodies,
 * paths and queries, profile files and case-list CSVs. Whatever arrives: never a 5xx (nor a throw), and
 * nothing written but refusal audit events. Runs are modest so CI stays fast; FC_NUM_RUNS raises them
 * (e.g. `FC_NUM_RUNS=1000 npx jest test/reliability/properties.test.ts`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { routes } from '../../src/api/api';
import { verbs } from '../../src/bot/verbs';
import { loadProfileFile } from '../../src/policy/load';
import { importCaseList } from '../../src/workflow';
import { OIDS, startApi, type Api } from '../api/harness';
import { execute } from '../bot/client';
import { botWorld, cleanupBotWorlds, type BotWorld } from '../bot/world';

const RUNS = Number(process.env['FC_NUM_RUNS'] ?? 40);
const figures: string[] = [];
afterAll(() => console.log(`properties (FC_NUM_RUNS=${RUNS}):\n${figures.join('\n')}`));

type Store = BotWorld['running']['store'];
/** Everything but refusals: records of every kind the workflow writes, and the other audit events. */
async function written(store: Store) {
  const out: Record<string, number> = {};
  for (const kind of [
    'request',
    'decision',
    'check',
    'consent',
    'objection',
    'ripa',
    'child',
    'staff',
    'team',
  ] as const)
    out[kind] = (await store.count(kind))[0]?.count ?? 0;
  const events = await store.audit.list();
  out['events'] = events.filter((e) => e.outcome !== 'refuse').length;
  return { out, refusals: events.length - out['events'] };
}

/** JSON-ish values of the kinds a client can send, strings biased towards the awkward. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    '',
    ' ',
    'true',
    'false',
    '2026-13-45',
    '1899-12-31',
    '25:99',
    'x'.repeat(5000),
    '\u0000',
    '../..',
  ),
);
const value = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
);
const payload = fc.dictionary(
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('requestId', 'childId', 'formId', 'reasons', 'viewer', 'platforms', 'version'),
  ),
  value,
  { maxKeys: 8 },
);

describe('the bot endpoint', () => {
  let w: BotWorld;
  beforeAll(async () => {
    w = await botWorld();
  });
  afterAll(async () => {
    await w?.close();
    await cleanupBotWorlds();
  });

  it('any invoke payload on any verb, from anyone: a card, never a 5xx, nothing written but refusals', async () => {
    const who = fc.constantFrom(
      'demo-cm-north-1',
      'demo-tm-north',
      'demo-sm',
      'demo-ig',
      'demo-ao',
      'demo-admin',
    );
    // A read of a child that exists writes an access event: ids here name nothing, as an attacker's would.
    const verb = fc.oneof(fc.constantFrom(...Object.keys(verbs)), fc.string({ maxLength: 20 }));
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(who, verb, payload, async (from, v, data) => {
        tried++;
        const before = await written(w.running.store);
        const r = await execute(w.url, from, v, data);
        expect(r.status).toBeLessThan(500);
        expect((await written(w.running.store)).out).toEqual(before.out);
      }),
      { numRuns: RUNS },
    );
    figures.push(`bot invoke payloads: ${tried} tried, 0 5xx, 0 writes`);
  }, 120_000);
});

describe('the API and the case-list import', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it('any path, query and body on any route, from anyone: never a 5xx, nothing written but refusals', async () => {
    const route = fc.constantFrom(...routes);
    const seg = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('child-notts', 'child-camden', '2026', 'pdf'),
    );
    const query = fc.dictionary(
      fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('from', 'to', 'kinds', 'limit', 'teamId')),
      text,
      { maxKeys: 4 },
    );
    const body = fc.oneof(payload, fc.json(), fc.string({ maxLength: 40 }));
    const who = fc.constantFrom(...(Object.keys(OIDS) as (keyof typeof OIDS)[]));
    let tried = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(route, seg, query, body, who, async (r, s, q, b, as) => {
        tried++;
        const path = r.path.replace(/:([A-Za-z]+)/g, () => encodeURIComponent(s));
        const qs = new URLSearchParams(q).toString();
        const before = await written(api.w.store);
        const res =
          r.method === 'GET'
            ? await api.get(`${path}${qs ? `?${qs}` : ''}`, as)
            : await api.send(r.method, `${path}${qs ? `?${qs}` : ''}`, typeof b === 'string' ? b : b, as);
        await res.arrayBuffer();
        expect(res.status).toBeLessThan(500);
        const after = await written(api.w.store);
        if (res.status >= 400) {
          refused++;
          expect(after.out).toEqual(before.out);
          expect(after.refusals - before.refusals).toBe(1);
        } else expect(r.method).toBe('GET');
      }),
      { numRuns: RUNS },
    );
    figures.push(
      `API paths, queries and bodies: ${tried} tried, ${refused} refused (each one audit event), 0 5xx`,
    );
  }, 120_000);

  it('any case-list CSV: imported whole, or refused with a reason and nothing written', async () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom(
        'notts',
        'camden',
        'cm-notts',
        'CASE-X-1',
        'A.B. (demo)',
        'instagram:@demo',
        '"',
        '""',
        ',',
        '\n',
        '=cmd',
      ),
    );
    const header = fc.constantFrom(
      'case_reference,initials,team,worker,platforms',
      'case_reference,initials,team,worker',
      'initials,team',
      '',
    );
    const csv = fc
      .tuple(header, fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { maxLength: 5 }))
      .map(([h, rows]) => [h, ...rows.map((r) => r.join(','))].join('\n'));
    let tried = 0;
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(csv, async (text) => {
        tried++;
        const before = await written(api.w.store);
        const r = await importCaseList(api.w.deps, { key: api.w.key(), actorId: 'admin', csv: text });
        const after = await written(api.w.store);
        if (r.ok) imported++;
        else {
          expect(r.error.message).toMatch(/\S/);
          expect(after.out).toEqual(before.out);
        }
      }),
      { numRuns: RUNS },
    );
    figures.push(
      `case-list CSVs: ${tried} tried, ${imported} imported whole, the rest refused writing nothing`,
    );
  }, 120_000);
});

describe('profile files (overt policy check)', () => {
  it('any edit of a profile file: valid, or PROFILE_INVALID with a message; never a throw', () => {
    const dir = mkdtempSync(join(tmpdir(), 'overt-profile-props-'));
    const base = JSON.parse(readFileSync('src/policy/profiles/nottinghamshire-yjs.json', 'utf8')) as Record<
      string,
      unknown
    >;
    const keys = Object.keys(base);
    const edit = fc.oneof(
      fc
        .record({ key: fc.constantFrom(...keys), v: fc.jsonValue() })
        .map(({ key, v }) => JSON.stringify({ ...base, [key]: v })),
      fc.record({ key: fc.constantFrom(...keys) }).map(({ key }) => {
        const copy = { ...base };
        delete copy[key];
        return JSON.stringify(copy);
      }),
      fc.string(),
      fc.json(),
    );
    let tried = 0;
    let valid = 0;
    try {
      fc.assert(
        fc.property(edit, (content) => {
          tried++;
          const file = join(dir, 'profile.json');
          writeFileSync(file, content);
          const p = loadProfileFile(file);
          if (p.ok) valid++;
          else {
            expect(p.error.code).toBe('PROFILE_INVALID');
            expect(p.error.message).toMatch(/\S/);
          }
        }),
        { numRuns: RUNS * 5 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    figures.push(`profile files: ${tried} tried, ${valid} valid, the rest PROFILE_INVALID with a message`);
  });
});
