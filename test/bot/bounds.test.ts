/**
 * Issue 12, fault 10, through the bot endpoint: every free-text field has a limit, told plainly at the
 * boundary with nothing written; a date before 1900 or far ahead is refused; and with every field at its
 * limit — in the characters that cost most in a card (three-byte characters, and markdown characters the
 * card builder escapes) — every card the bot answers with stays under Teams' limit of about 28 KB.
 */
import { BOUNDS } from '../../src/workflow/input';
import { actionData, execute, textOf, decideFromCard } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
beforeAll(async () => {
  w = await botWorld();
});
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';
/** Teams refuses an activity over about 28 KB; the card is most of it. */
const TEAMS_LIMIT = 28 * 1024;
const bytes = (card: unknown) => Buffer.byteLength(JSON.stringify(card), 'utf8');
const count = async () => ({
  requests: (await w.running.store.count('request'))[0]!.count,
  checks: (await w.running.store.count('check'))[0]!.count,
});

const fill = (pattern: string, n: number) => pattern.repeat(Math.ceil(n / pattern.length)).slice(0, n);
/** Reasons at the limit: a few words first (every reasons field asks for some, issue 15), then the pattern. */
const why = (pattern: string) => `Fictional reasons ${fill(pattern, BOUNDS.long - 18)}`;

describe('bounds at the bot', () => {
  it('a rationale of 100,000 characters is refused with the limit named, and nothing is written', async () => {
    const before = await count();
    const r = await execute(w.url, CM, 'request.send', {
      formId: `form-long-${Date.now()}`,
      childId: await w.childId('DEMO-0001'),
      reason: 'risk-of-cse',
      platforms: 'instagram: @demo_account',
      viewer: 'own-personal-account',
      rationale: 'x'.repeat(100_000),
    });
    expect(r.status).toBe(200);
    expect(textOf(r.json.value)).toMatch(/At most 4,000 characters: shorten it/);
    expect(bytes(r.json.value)).toBeLessThan(TEAMS_LIMIT);
    expect(await count()).toEqual(before);
  });

  it.each([
    [
      'an account of 100,000 characters',
      'instagram: @' + 'a'.repeat(100_000),
      /An account is at most 100 characters: the one on instagram has 100,001/,
    ],
    [
      "a platform's name of 100,000 characters",
      'i'.repeat(100_000) + ': @name',
      /A platform's name is at most 50 characters/,
    ],
    [
      'eleven platforms',
      Array.from({ length: 11 }, (_, i) => `p${i}: @name`).join('\n'),
      /At most 10 platforms and accounts: 11 were given/,
    ],
  ])('%s is refused naming that bound, and nothing is written', async (_name, platforms, message) => {
    const before = await count();
    const r = await execute(w.url, CM, 'request.send', {
      formId: `form-bound-${Math.random()}`,
      childId: await w.childId('DEMO-0001'),
      reason: 'risk-of-cse',
      platforms,
      viewer: 'own-personal-account',
      rationale: 'Fictional: new information suggests a risk to the child.',
    });
    const text = textOf(r.json.value);
    expect(text).toMatch(message);
    if (!/eleven/.test(_name)) expect(text).not.toMatch(/at most 10 platforms/i);
    expect(bytes(r.json.value)).toBeLessThan(TEAMS_LIMIT);
    expect(await count()).toEqual(before);
  });

  it.each(['.', 'ok', 'n/a', '-', '???', 'no'])(
    'reasons of "%s" are refused as no reasons, through every reasons field, and nothing is written',
    async (reasons) => {
      const start = await count();
      const sent = await execute(w.url, CM, 'request.send', {
        formId: `form-why-${Math.random()}`,
        childId: await w.childId('DEMO-0002'),
        reason: 'risk-of-cse',
        platforms: 'tiktok: @demo_account',
        viewer: 'own-personal-account',
        rationale: reasons,
      });
      expect(textOf(sent.json.value)).toMatch(/give the reasons in a few words/i);
      expect(await count()).toEqual(start);
      const ok = await execute(w.url, CM, 'request.send', {
        formId: `form-why-ok-${Math.random()}`,
        childId: await w.childId('DEMO-0002'),
        reason: 'risk-of-cse',
        platforms: 'tiktok: @demo_account',
        viewer: 'own-personal-account',
        rationale: 'Fictional: new information suggests a risk.',
      });
      const requestId = actionData(ok.json.value, 'request.withdraw')?.['requestId'] as string;
      expect(requestId).toBeTruthy();
      const decisions = async () => (await w.running.store.count('decision'))[0]!.count;
      const before = await decisions();
      // Pressed on the approver's card, as Teams sends it (with the version the card showed).
      const view = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
      for (const verb of ['request.approve', 'request.decline', 'request.more-info'] as const) {
        const r = await execute(w.url, TM, verb, { ...actionData(view, verb), reasons });
        expect(textOf(r.json.value)).toMatch(/give the reasons in a few words/i);
      }
      expect(await decisions()).toBe(before);
      const withdrawn = await execute(
        w.url,
        CM,
        'request.withdraw',
        actionData(
          (await execute(w.url, CM, 'request.refresh', { requestId })).json.value,
          'request.withdraw',
        )!,
      );
      expect(withdrawn.status).toBe(200);
    },
  );

  it.each([
    ['1899-12-31', /from 1900 to 2100/],
    ['2999-01-01', /from 1900 to 2100/],
  ])('an objection dated %s is refused with a clear message', async (day, message) => {
    const r = await execute(w.url, CM, 'objection.raise', {
      formId: `form-obj-${day}`,
      childId: await w.childId('DEMO-0001'),
      raisedBy: 'the child',
      raisedAt: day,
      detail: 'Fictional.',
    });
    expect(textOf(r.json.value)).toMatch(message);
    expect((await w.running.store.count('objection'))[0]!.count).toBe(0);
  });

  const patterns = [
    ['plain letters', 'abcdefghij ', 'DEMO-0001'],
    ['three-byte characters', '€‘’“”…', 'DEMO-0002'],
    ['escaped markdown', '*_[]()#>`~|\\', 'DEMO-0003'],
  ] as const;

  it.each(patterns)(
    'with every field at its limit in %s, every card stays under 28 KB',
    async (_name, pattern, caseRef) => {
      const sizes: Record<string, number> = {};
      const platforms = Array.from(
        { length: BOUNDS.platforms },
        (_, i) => `p${fill('x', BOUNDS.platform - 3)}${i}: @${fill(pattern, BOUNDS.account - 1)}`,
      ).join('\n');
      const data = {
        formId: `form-max-${pattern.length}-${Date.now()}`,
        childId: await w.childId(caseRef),
        reason: 'risk-of-cse',
        platforms,
        viewer: 'own-personal-account',
        rationale: why(pattern),
      };
      const preview = await execute(w.url, CM, 'request.preview', data);
      sizes.preview = bytes(preview.json.value);
      const sent = await execute(w.url, CM, 'request.send', data);
      sizes.sent = bytes(sent.json.value);
      const requestId = actionData(sent.json.value, 'request.withdraw')?.['requestId'] as string;
      expect(requestId).toBeTruthy();
      const approver = await execute(w.url, TM, 'request.refresh', { requestId });
      sizes.approver = bytes(approver.json.value);
      // The reasons box takes what the workflow takes: one limit (BOUNDS.long), not a card's own.
      expect(JSON.stringify(approver.json.value)).toContain(`"id":"reasons"`);
      for (const m of JSON.stringify(approver.json.value).matchAll(/"id":"reasons"[^}]*"maxLength":(\d+)/g))
        expect(Number(m[1])).toBe(BOUNDS.long);
      const more = await decideFromCard(w.url, TM, 'request.more-info', requestId, { reasons: why(pattern) });
      sizes.moreInfo = bytes(more.json.value);
      // Pressed on the requester's card, with the version it showed.
      const asked = (await execute(w.url, CM, 'request.refresh', { requestId })).json.value;
      const answered = await execute(w.url, CM, 'request.answer', {
        ...actionData(asked, 'request.answer'),
        rationale: why(pattern),
      });
      sizes.answered = bytes(answered.json.value);
      expect(textOf(answered.json.value)).toMatch(
        /Your answer is saved\. Overt is sending it to the approver/,
      );
      const approved = await decideFromCard(w.url, TM, 'request.approve', requestId, {
        reasons: why(pattern),
      });
      sizes.approved = bytes(approved.json.value);
      expect(textOf(approved.json.value)).toMatch(/You approved this request/);
      const check = await execute(w.url, CM, 'check.open', { requestId });
      sizes.checkForm = bytes(check.json.value);
      const requester = await execute(w.url, CM, 'request.refresh', { requestId });
      sizes.requesterView = bytes(requester.json.value);
      const child = await execute(w.url, CM, 'child.summary', { childId: data.childId });
      sizes.child = bytes(child.json.value);
      for (const [card, size] of Object.entries(sizes))
        expect({ card, size, under: size < TEAMS_LIMIT }).toEqual({ card, size, under: true });
      console.log(`card sizes at the limits (${_name}): ${JSON.stringify(sizes)}`);
    },
    60_000,
  );
});
