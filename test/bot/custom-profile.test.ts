/**
 * Any council's policy in the running service (issue 18): the invented Fernmoor profile
 * (examples/fernmoor) loaded with OVERT_PROFILE_FILES and given to the demo South team decides that team's
 * requests through the bot, over HTTP: the child's own team manager authorises (a manager of another team
 * cannot), a Prevent concern goes to the Prevent lead (a flag on their staff record), and every verdict and
 * decision names the Fernmoor version and its fingerprint. The profile is given to the team with the
 * workflow's assignProfile (what `overt teams set-profile` and the API call), audited with its fingerprint.
 */
import { join } from 'node:path';
import { fingerprint } from '../../src/policy/authority';
import { loadProfileFile } from '../../src/policy/load';
import { assignProfile, upsertStaff } from '../../src/workflow';
import { actionData, execute, problemOf, say, textOf, decideFromCard } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

const FILE = join(__dirname, '../../examples/fernmoor/fernmoor.json');
const loaded = loadProfileFile(FILE);
if (!loaded.ok) throw new Error(loaded.error.message);
const fernmoor = loaded.value;

let w: BotWorld;
const CM = 'demo-cm-south-1';
const TM = 'demo-tm-south';
const OTHER_TM = 'demo-tm-north';
const PREVENT = 'demo-prevent-lead';

beforeAll(async () => {
  w = await botWorld({ OVERT_PROFILE_FILES: FILE });
  const deps = w.running.deps;
  const ok = <T extends { ok: boolean }>(r: T) => {
    if (!r.ok) throw new Error(JSON.stringify(r));
    return r;
  };
  ok(
    await assignProfile(deps, {
      key: 'fernmoor-assign-south',
      actorId: 'demo-admin',
      teamId: 'south',
      profileId: 'fernmoor-cs',
    }),
  );
  ok(
    await upsertStaff(deps, {
      key: 'fernmoor-prevent-lead',
      actorId: 'demo-admin',
      staff: {
        id: PREVENT,
        name: 'Pat Prentice (demo)',
        role: 'service-manager',
        teamIds: ['north', 'south'],
        flags: ['preventLead'],
      },
    }),
  );
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

async function raise(reason: string): Promise<string> {
  const r = await execute(w.url, CM, 'request.send', {
    formId: `form-${Math.random()}`,
    childId: await w.childId('DEMO-0101'),
    reason,
    platforms: 'instagram: @demo_south_1',
    viewer: 'organisation-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  expect(r.status).toBe(200);
  expect(textOf(r.json.value)).toMatch(/Request saved/);
  return actionData(r.json.value, 'request.withdraw')!['requestId'] as string;
}
const request = async (id: string) => (await w.running.store.get('request', id))!.record;

describe('a team under an invented council’s own profile', () => {
  it('the child’s own team manager authorises; a manager of another team cannot; the decision names Fernmoor v1 and its fingerprint', async () => {
    const id = await raise('risk-of-cse');
    const r = await request(id);
    expect(r).toMatchObject({ status: 'pending', authority: 'child-team-manager', profileId: 'fernmoor-cs' });
    expect(r.verdict).toMatchObject({
      outcome: 'allow',
      cites: ['SMP-2'],
      profile: { id: 'fernmoor-cs', version: '1', fingerprint: fingerprint(fernmoor) },
    });
    expect((r.verdict as { explanation: string }).explanation).toMatch(
      /Authority: the child's own team manager\./,
    );

    const other = await decideFromCard(w.url, OTHER_TM, 'request.approve', id, {
      reasons: 'Fictional: agreed.',
    });
    expect(textOf(other.json.value)).not.toMatch(/You approved this request/);
    expect((await request(id)).status).toBe('pending');

    const mine = await decideFromCard(w.url, TM, 'request.approve', id, { reasons: 'Fictional: agreed.' });
    expect(textOf(mine.json.value)).toMatch(/You approved this request/);
    expect((await request(id)).status).toBe('approved');
    const [decision] = await w.running.store.query('decision', { where: { requestId: id } });
    expect(decision!.record).toMatchObject({
      deciderId: TM,
      authority: 'child-team-manager',
      profileId: 'fernmoor-cs',
      profileVersion: '1',
      profileFingerprint: fingerprint(fernmoor),
    });
  });

  it('a Prevent concern goes to the Prevent lead (a flag on the staff record), whom the team manager cannot stand in for', async () => {
    const id = await raise('prevent-concern');
    expect(await request(id)).toMatchObject({ status: 'pending', authority: 'prevent-lead' });
    const tm = await decideFromCard(w.url, TM, 'request.approve', id, { reasons: 'Fictional: agreed.' });
    expect(textOf(tm.json.value)).not.toMatch(/You approved this request/);
    const lead = await decideFromCard(w.url, PREVENT, 'request.approve', id, {
      reasons: 'Fictional: agreed.',
    });
    expect(textOf(lead.json.value)).toMatch(/You approved this request/);
    expect((await request(id)).status).toBe('approved');
  });

  it('a request the policy sent on to the Head of Service tells the child’s own team manager where it went, not “Not yours to see”', async () => {
    // Approved viewings count against "twice in any 28 days": raise and approve until one is sent on.
    let sentOn: string | undefined;
    for (let n = 0; n < 4 && !sentOn; n++) {
      const id = await raise('risk-of-cse');
      if ((await request(id)).status === 'pending')
        await decideFromCard(w.url, TM, 'request.approve', id, { reasons: 'Fictional: agreed.' });
      if ((await request(id)).status === 'escalated') sentOn = id;
    }
    expect(sentOn).toBeDefined();
    expect(await request(sentOn!)).toMatchObject({ status: 'escalated', authority: 'head-of-service' });
    // The team manager holds their authority by a holder (a team manager of the child's own team), not a role.
    const pressed = textOf(
      (await decideFromCard(w.url, TM, 'request.approve', sentOn!, { reasons: 'Fictional: agreed.' })).json
        .value,
    );
    expect(pressed).not.toMatch(/Not yours to see|Only the Head of Service can approve/);
    expect(pressed).toMatch(
      /went to the Head of Service on \d{1,2} [A-Z][a-z]+ \d{4}: it is for them to decide now/,
    );
    const opened = textOf((await execute(w.url, TM, 'request.refresh', { requestId: sentOn! })).json.value);
    expect(opened).not.toMatch(/Not yours to see/);
    expect(opened).toMatch(/With the Head of Service/);
    expect(opened).not.toMatch(/DEMO-0101|demo_south_1|Fictional: new information/);
    // A case manager of the team, who decides nothing, is still told it is not theirs to see.
    const added = await upsertStaff(w.running.deps, {
      key: 'fernmoor-colleague',
      actorId: 'demo-admin',
      staff: {
        id: 'demo-cm-south-colleague',
        name: 'Cole Colleague (demo)',
        role: 'case-manager',
        teamIds: ['south'],
      },
    });
    expect(added.ok).toBe(true);
    const colleague = textOf(
      (await execute(w.url, 'demo-cm-south-colleague', 'request.refresh', { requestId: sentOn! })).json.value,
    );
    expect(colleague).toMatch(/Not yours to see/);
  });

  it('the request form offers every reason the profile declares, in its words; a reason it does not declare is refused and audited', async () => {
    const form = (await say(w.url, CM, 'new request')).cards[0] as unknown;
    const choices: { title: string; value: string }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o['id'] === 'reason' && Array.isArray(o['choices']))
          choices.push(...(o['choices'] as { title: string; value: string }[]));
        Object.values(o).forEach(walk);
      }
    };
    walk(form);
    expect(choices.map((c) => c.value).sort()).toEqual(Object.keys(fernmoor.reasons!).sort());
    expect(choices).toContainEqual({ title: 'Risk of child sexual exploitation', value: 'risk-of-cse' });
    expect(choices).toContainEqual({ title: 'Prevent concern (radicalisation)', value: 'prevent-concern' });

    // A forged card with a reason Fernmoor does not declare: the form again, the problem by the reason.
    const before = (await w.running.store.audit.list()).length;
    const forged = await execute(w.url, CM, 'request.send', {
      formId: `form-${Math.random()}`,
      childId: await w.childId('DEMO-0101'),
      reason: 'weapon-offence',
      platforms: 'instagram: @demo_south_1',
      viewer: 'organisation-account',
      rationale: 'Fictional: new information suggests a risk to the child.',
    });
    expect(textOf(forged.json.value)).not.toMatch(/Request saved/);
    expect(problemOf(forged.json.value, 'reason')).toMatch(/does not recognise this reason/);
    const after = (await w.running.store.audit.list()).slice(before);
    expect(after).toContainEqual(
      expect.objectContaining({
        action: 'request.raise',
        outcome: 'refuse',
        details: expect.objectContaining({ code: 'INVALID_INPUT' }),
      }),
    );
    expect(after.filter((e) => e.action === 'request.raise' && e.outcome !== 'refuse')).toEqual([]);
  });

  it('the North team, still on its built-in profile, is unchanged; the assignment is audited with the fingerprint', async () => {
    const team = (await w.running.store.get('team', 'north'))!.record;
    expect(team.profileId).toBe('nottinghamshire-yjs');
    const events = (await w.running.store.audit.list()).filter((e) => e.action === 'team.profile');
    expect(events.at(-1)).toMatchObject({
      target: { id: 'south' },
      details: { to: 'fernmoor-cs', profileVersion: '1', profileFingerprint: fingerprint(fernmoor) },
    });
  });
});
