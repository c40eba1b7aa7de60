/**
 * The bot's endpoint from a plain HTTP client, as Teams would call it: messages answered inline
 * (`deliveryMode: "expectReplies"`), Action.Execute invokes answered with cards, bad input answered with an
 * error card or a 4xx with its reason and nothing written, and a token demanded once an app id is set.
 */
import { createServer } from 'node:http';
import { validateCard } from '../../src/bot/cards/validate';
import { botEndpoint } from '../../src/bot/http';
import { botSettings } from '../../src/bot/settings';
import { actionData, activity, choicesOf, execute, post, say, textOf, decideFromCard } from './client';
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
const events = async () => {
  const v = await w.running.store.audit.verify();
  return v.ok ? v.count : -1;
};
/** Refusals are audit events of their own (issue 12, fault 4): counted apart from what a command wrote. */
const refusals = async () =>
  (await w.running.store.audit.list()).filter((e) => e.outcome === 'refuse').length;
const writesOf = async () => ({
  events: (await events()) - (await refusals()),
  requests: (await w.running.store.count('request'))[0]!.count,
  decisions: (await w.running.store.count('decision'))[0]!.count,
});

async function raise(caseRef: string, form = `form-${caseRef}-${Math.random()}`) {
  const data = {
    formId: form,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  };
  const sent = await execute(w.url, CM, 'request.send', data);
  const card = sent.json.value;
  const requestId = actionData(card, 'request.withdraw')?.['requestId'] as string;
  return { card, requestId };
}

describe('the bot over plain HTTP', () => {
  it('answers "new request" inline with the request form (expectReplies), a valid 1.5 card', async () => {
    const r = await say(w.url, CM, 'new request');
    expect(r.status).toBe(200);
    expect(r.cards).toHaveLength(1);
    expect(validateCard(r.cards[0])).toEqual({ ok: true });
    expect(textOf(r.cards[0])).toMatch(/Request to view a child’s public social media/);
    // Few children: a plain list every client can pick from (the Playground has no typeahead), by case
    // reference and initials, the person's teams' children only.
    expect(JSON.stringify(r.cards[0])).not.toContain('"Data.Query"');
    expect(choicesOf(r.cards[0], 'childId').map((c) => c.title)).toEqual([
      expect.stringMatching(/^DEMO-0001 · A\.B\. \(demo\)$/),
      expect.stringMatching(/^DEMO-0002/),
      expect.stringMatching(/^DEMO-0003/),
    ]);
    // Lenient matching, and help for anything else.
    expect(textOf((await say(w.url, CM, 'Hello there!')).cards[0])).toMatch(/Request to view/);
    expect(textOf((await say(w.url, CM, 'show me MY requests please')).cards[0])).toMatch(/Your requests/);
    expect(textOf((await say(w.url, CM, 'demo-0001')).cards[0])).toMatch(/DEMO-0001/);
    const unknown = (await say(w.url, CM, 'what is the weather')).cards[0];
    expect(textOf(unknown)).toMatch(/did not understand “what is the weather”/);
    expect(textOf((await say(w.url, 'somebody-else', 'hi')).cards[0])).toMatch(/Overt does not know you/);
  });

  it('answers the child typeahead with the children of the person’s own teams only', async () => {
    const r = await post(
      w.url,
      activity(CM, `personal-${CM}`, {
        type: 'invoke',
        name: 'application/search',
        value: { queryText: 'demo-0', dataset: 'overt.children', queryOptions: { top: 10, skip: 0 } },
      }),
    );
    expect(r.status).toBe(200);
    const titles = (r.json.value.results as { title: string }[]).map((x) => x.title);
    expect(titles).toEqual([
      expect.stringMatching(/^DEMO-0001/),
      expect.stringMatching(/^DEMO-0002/),
      expect.stringMatching(/^DEMO-0003/),
    ]);
  });

  it('previews the verdict with its clauses and obligations, sends, and lets the team manager approve', async () => {
    const childId = await w.childId('DEMO-0001');
    const preview = await execute(w.url, CM, 'request.preview', {
      formId: 'form-preview-1',
      childId,
      reason: 'risk-of-cse',
      platforms: 'instagram: @demo_north_1',
      viewer: 'own-personal-account',
      rationale: 'Fictional rationale.',
    });
    expect(preview.status).toBe(200);
    const pcard = preview.json.value;
    expect(validateCard(pcard)).toEqual({ ok: true });
    expect(textOf(pcard)).toMatch(/The policy allows this request/);
    expect(textOf(pcard)).toMatch(/Nottinghamshire YJS policy, section 11: /);
    expect(textOf(pcard)).not.toMatch(/§/);
    expect(textOf(pcard)).toMatch(/Instagram/i); // the story-viewer warning is an obligation
    expect(actionData(pcard, 'request.send')).toEqual({ formId: 'form-preview-1' });

    const { card, requestId } = await raise('DEMO-0001');
    expect(textOf(card)).toMatch(
      /Request saved. Overt is sending it to the team manager, Arlo Ashdown \(demo\), to decide/,
    );
    const tmView = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
    expect(validateCard(tmView)).toEqual({ ok: true });
    expect(actionData(tmView, 'request.approve')).toMatchObject({ requestId });
    expect(textOf(tmView)).toMatch(/A\.B\. \(demo\)/);
    // Someone else in the team sees no buttons; the base card never names the child.
    const other = (await execute(w.url, 'demo-cm-north-2', 'request.refresh', { requestId })).json.value;
    expect(actionData(other, 'request.approve')).toBeUndefined();
    // Self-approval is impossible.
    const self = (await decideFromCard(w.url, CM, 'request.approve', requestId, {})).json.value;
    expect(textOf(self)).not.toMatch(/You approved/);

    const approved = (
      await execute(w.url, TM, 'request.approve', {
        ...actionData(tmView, 'request.approve'),
        reasons: 'Necessary and proportionate (fictional).',
      })
    ).json.value;
    expect(textOf(approved)).toMatch(/You approved this request/);
    const again = (
      await execute(w.url, TM, 'request.approve', {
        ...actionData(tmView, 'request.approve'),
        reasons: 'Necessary and proportionate (fictional).',
      })
    ).json.value;
    // The same person's press again: their decision is recorded, said so — not refused as "already decided".
    expect(textOf(again)).toMatch(/You already approved this request on .*: your decision is recorded/);
    expect(textOf(again)).not.toMatch(/already decided/);
    // The requester can now record the check.
    const check = (await execute(w.url, CM, 'check.open', { requestId })).json.value;
    expect(validateCard(check)).toEqual({ ok: true });
    expect(textOf(check)).toMatch(/Record the check/);
  });

  it('50 concurrent Approve invokes on one request: one decision, 49 "you already approved"', async () => {
    const { requestId } = await raise('DEMO-0003');
    expect(requestId).toBeTruthy();
    const before = (await w.running.store.count('decision', { where: { requestId } }))[0]?.count ?? 0;
    // The same card's Approve, pressed 50 times at once (with the version that card showed).
    const card = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
    const pressed = actionData(card, 'request.approve');
    expect(pressed).toMatchObject({ requestId, version: expect.any(String) });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        execute(w.url, TM, 'request.approve', {
          ...pressed,
          reasons: 'Necessary and proportionate (fictional).',
        }),
      ),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const texts = answers.map((a) => textOf(a.json.value));
    expect(texts.filter((t) => /You approved this request/.test(t))).toHaveLength(1);
    // Every other copy of the same person's press is told their decision is recorded, never "already decided".
    expect(texts.filter((t) => /You already approved this request/.test(t))).toHaveLength(49);
    expect((await w.running.store.count('decision', { where: { requestId } }))[0]!.count).toBe(before + 1);
  });

  it('bad input gets an error card or a 4xx with the reason, and writes nothing', async () => {
    const { requestId } = await raise('DEMO-0002');
    const tmView = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
    const before = await writesOf();
    const refusedBefore = await refusals();
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      [TM, { requestId }, 'request.explode', /Unknown action "request.explode"/],
      [TM, { requestId: 5 }, 'request.approve', /Overt has no request "5"/],
      [
        TM,
        { ...actionData(tmView, 'request.decline') },
        'request.decline',
        /give the reasons to decline.*section 10/i,
      ],
      [TM, { requestId: 'no-such-request' }, 'request.approve', /no request "no-such-request"/],
      ['demo-tm-south', { requestId }, 'request.approve', /belongs to another team/],
      [TM, { requestId, version: 'stale-version' }, 'request.approve', /out of date/],
    ];
    for (const [who, data, verb, message] of cases) {
      const r = await execute(w.url, who, verb, data);
      expect(r.status).toBe(200);
      expect(validateCard(r.json.value)).toEqual({ ok: true });
      expect(textOf(r.json.value)).toMatch(message);
    }
    expect(actionData(tmView, 'request.approve')).toMatchObject({ requestId });
    const raw = [
      [{ not: 'an activity' }, 400, /type/],
      ['{not json', 400, /not JSON/],
      [
        activity(TM, 'c', { type: 'invoke', name: 'adaptiveCard/action', value: { action: 'approve' } }),
        400,
        /not an Action.Execute/,
      ],
      [
        activity(TM, 'c', { type: 'invoke', name: 'composeExtension/query', value: {} }),
        400,
        /does not answer/,
      ],
    ] as const;
    for (const [body, status, message] of raw) {
      const r = await post(w.url, body);
      expect(r.status).toBe(status);
      expect(JSON.stringify(r.json)).toMatch(message);
    }
    expect((await fetch(`${w.url}/api/messages`)).status).toBe(405);
    expect(await writesOf()).toEqual(before);
    // Each refused card is one audit event, naming who, the verb and why. A decline without reasons is the
    // workflow's refusal (the team's policy asks for the reasons for any decision, 000 §10), audited as such.
    const refused = (await w.running.store.audit.list())
      .filter((e) => e.outcome === 'refuse')
      .slice(refusedBefore);
    expect(refused.map((e) => [e.actor.id, e.action])).toEqual(
      cases.map(([who, , verb]) => [who, verb === 'request.decline' ? verb : `bot:${verb}`]),
    );
    expect(refused.find((e) => e.action === 'request.decline')!.details).toMatchObject({
      cites: ['000 §10'],
    });
    for (const e of refused) expect((e.details as { message: string }).message).toBeTruthy();
  });

  it('with MicrosoftAppId set, an unsigned activity is refused with 401', async () => {
    const endpoint = botEndpoint(
      w.running.deps,
      botSettings({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001' }),
      () => undefined,
    );
    const server = createServer((req, res) => void endpoint.handler(req, res));
    await new Promise<void>((r) => server.listen(0, r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const r = await post(url, activity(CM, 'c', { type: 'message', text: 'hi' }));
      expect(r.status).toBe(401);
      const forged = await post(url, activity(CM, 'c', { type: 'message', text: 'hi' }), {
        authorization: 'Bearer not.a.token',
      });
      expect(forged.status).toBe(401);
    } finally {
      endpoint.stop();
      await new Promise((r) => server.close(r));
    }
  });
});
