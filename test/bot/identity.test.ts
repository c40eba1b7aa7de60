/**
 * Who the bot answers, over HTTP: only Microsoft Teams, only the configured tenant, only a person identified
 * by their Entra object id (issue 20, found 1). A Direct Line or Web Chat activity naming a team manager's
 * staff id, a Teams activity without `aadObjectId`, and one from another tenant are refused with 403 and an
 * audit event, and write nothing else. With an app id, forged Bot Framework tokens are 401, not 500, and a
 * deeply nested activity is 400 (issue 12, fault 6).
 */
import { createSign, generateKeyPairSync, createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { botEndpoint } from '../../src/bot/http';
import { botSettings } from '../../src/bot/settings';
import { actionData, activity, execute, post, textOf, decideFromCard } from './client';
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
const count = async (kind: 'request' | 'decision' | 'conversation') =>
  (await w.running.store.count(kind))[0]?.count ?? 0;
const state = async () => ({
  requests: await count('request'),
  decisions: await count('decision'),
  conversations: await count('conversation'),
});

async function pending(): Promise<string> {
  const sent = await execute(w.url, CM, 'request.send', {
    formId: `form-identity-${Math.random()}`,
    childId: await w.childId('DEMO-0001'),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  return actionData(sent.json.value, 'request.withdraw')!['requestId'] as string;
}

/** An Approve click as another channel would send it. */
function approveAs(requestId: string, change: (a: Record<string, unknown>) => void) {
  const a = activity(TM, `personal-${TM}`, {
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: {
      action: { type: 'Action.Execute', verb: 'request.approve', data: { requestId } },
      trigger: 'manual',
    },
  }) as Record<string, unknown>;
  change(a);
  return a;
}

describe('only Teams people of the configured tenant, by their Entra object id', () => {
  it('refuses Direct Line, Web Chat, a missing aadObjectId and another tenant: 403, audited, nothing else written', async () => {
    const requestId = await pending();
    const before = await state();
    const eventsBefore = (await w.running.store.audit.list()).length;
    const attempts: [string, Record<string, unknown>, RegExp][] = [
      [
        'Direct Line approval with a staff id as from.id',
        approveAs(requestId, (a) => {
          a['channelId'] = 'directline';
          a['from'] = { id: TM, name: 'Arlo' };
          delete a['channelData'];
        }),
        /only Microsoft Teams.*directline/,
      ],
      [
        'Web Chat "my requests"',
        {
          ...activity(CM, 'webchat-1', {
            type: 'message',
            text: 'my requests',
            deliveryMode: 'expectReplies',
          }),
          channelId: 'webchat',
          from: { id: CM },
        },
        /only Microsoft Teams.*webchat/,
      ],
      [
        'Teams without aadObjectId',
        approveAs(requestId, (a) => (a['from'] = { id: TM, name: 'Arlo' })),
        /no Entra object id/,
      ],
      [
        'Teams message without aadObjectId',
        { ...activity(CM, `personal-${CM}`, { type: 'message', text: 'my requests' }), from: { id: CM } },
        /no Entra object id/,
      ],
      [
        'another tenant, a known aadObjectId',
        approveAs(requestId, (a) => {
          a['channelData'] = { tenant: { id: 'another-tenant' } };
          a['conversation'] = { id: 'x', conversationType: 'personal', tenantId: 'another-tenant' };
        }),
        /does not serve the tenant "another-tenant"/,
      ],
      [
        'two tenants that differ',
        approveAs(requestId, (a) => (a['channelData'] = { tenant: { id: 'another-tenant' } })),
        /names no tenant.*or two that differ/,
      ],
      [
        'no tenant at all',
        approveAs(requestId, (a) => {
          delete a['channelData'];
          a['conversation'] = { id: 'x', conversationType: 'personal' };
        }),
        /names no tenant/,
      ],
    ];
    for (const [what, body, message] of attempts) {
      const r = await post(w.url, body);
      expect({ what, status: r.status }).toEqual({ what, status: 403 });
      expect(r.json.detail).toMatch(message);
    }
    // Nothing but the refusals was written: the request is still pending, no decision, no reference kept.
    expect(await state()).toEqual(before);
    expect((await w.running.store.get('request', requestId))!.record.status).toBe('pending');
    const events = (await w.running.store.audit.list()).slice(eventsBefore);
    expect(events).toHaveLength(attempts.length);
    for (const e of events) {
      expect(e).toMatchObject({ action: 'bot.activity', outcome: 'refuse', actor: { id: 'unidentified' } });
      // The trail never names the manager whose id was claimed as the actor.
      expect(e.actor.id).not.toBe(TM);
    }
    expect(events[0]!.details).toMatchObject({
      reason: 'channel',
      channelId: 'directline',
      claimedFromId: TM,
      verb: 'request.approve',
    });
    expect(events.map((e) => (e.details as { reason: string }).reason)).toEqual([
      'channel',
      'channel',
      'identity',
      'identity',
      'tenant',
      'tenant',
      'tenant',
    ]);
    // The same activity sent twice is one refusal on the record.
    const again = attempts[0]![1];
    expect((await post(w.url, again)).status).toBe(403);
    expect((await w.running.store.audit.list()).length).toBe(eventsBefore + attempts.length);
    // The real team manager, from Teams, still decides.
    const ok = await decideFromCard(w.url, TM, 'request.approve', requestId, {
      reasons: 'Necessary and proportionate (fictional).',
    });
    expect(textOf(ok.json.value)).toMatch(/You approved this request/);
  });

  it('finds a person by the Entra object id through the staff map, never by from.id', async () => {
    const mapped = await botWorld({
      OVERT_AUTH_STAFF_MAP: JSON.stringify({ '7f1d2c3b-0000-4000-8000-00000000c0de': CM }),
    });
    try {
      const r = await post(
        mapped.url,
        activity(CM, `personal-x`, { type: 'message', text: 'my requests', deliveryMode: 'expectReplies' }),
      );
      // from.id and aadObjectId are both the staff id here, which the map does not list: still a person,
      // since a staff id may be the object id itself.
      expect(r.status).toBe(200);
      const byMap = await post(mapped.url, {
        ...activity(CM, 'personal-y', {
          type: 'message',
          text: 'my requests',
          deliveryMode: 'expectReplies',
        }),
        from: { id: '29:someone', aadObjectId: '7f1d2c3b-0000-4000-8000-00000000c0de' },
      });
      expect(textOf(byMap.json.activities[0].attachments[0].content)).toMatch(/Your requests/);
      const byFromId = await post(mapped.url, {
        ...activity(CM, 'personal-z', {
          type: 'message',
          text: 'my requests',
          deliveryMode: 'expectReplies',
        }),
        from: { id: CM, aadObjectId: '00000000-0000-4000-8000-000000000bad' },
      });
      expect(textOf(byFromId.json.activities[0].attachments[0].content)).toMatch(/Overt does not know you/);
    } finally {
      await mapped.close();
    }
  });
});

describe('refusals on the record (issue 20, fault 8)', () => {
  it('a person of the tenant who is not staff is refused and audited by their Entra id; a reused activity id is filed again when the activity differs', async () => {
    const STRANGER = '00000000-0000-4000-8000-0000000057a7';
    const requestId = await pending();
    const before = await state();
    const status = (await w.running.store.get('request', requestId))!.record.status;
    const eventsBefore = (await w.running.store.audit.list()).length;
    const click = approveAs(requestId, (a) => {
      a['id'] = 'reused-activity-id';
      a['from'] = { id: '29:stranger', aadObjectId: STRANGER, name: 'Stranger' };
    });
    const r = await post(w.url, click);
    expect(r.status).toBe(200);
    expect(textOf(r.json.value)).toMatch(/Overt does not know you/);
    // A message, reusing the same activity id: a different activity, so a second refusal on the record.
    const said = await post(w.url, {
      ...activity(STRANGER, `personal-${STRANGER}`, { type: 'message', text: 'my requests' }),
      id: 'reused-activity-id',
    });
    expect(said.status).toBe(200);
    // The same click sent again (a retry) is not filed twice.
    await post(w.url, click);
    const events = (await w.running.store.audit.list()).slice(eventsBefore);
    expect(events).toHaveLength(2);
    for (const e of events)
      expect(e).toMatchObject({
        action: 'bot.activity',
        outcome: 'refuse',
        actor: { id: 'unidentified' },
        details: { reason: 'not-staff', claimedAadObjectId: STRANGER },
      });
    expect(events[0]!.details).toMatchObject({ verb: 'request.approve', type: 'invoke' });
    expect(events[1]!.details).toMatchObject({ type: 'message' });
    // And nothing else was written.
    expect(await state()).toEqual(before);
    expect((await w.running.store.get('request', requestId))!.record.status).toBe(status);
  });

  it('two different refused activities reusing one id are both audited', async () => {
    const eventsBefore = (await w.running.store.audit.list()).length;
    for (const channelId of ['directline', 'webchat']) {
      const r = await post(w.url, {
        ...activity(CM, 'x', { type: 'message', text: `hello from ${channelId}` }),
        id: 'same-id-twice',
        channelId,
      });
      expect(r.status).toBe(403);
    }
    const events = (await w.running.store.audit.list()).slice(eventsBefore);
    expect(events.map((e) => (e.details as { channelId: string }).channelId)).toEqual([
      'directline',
      'webchat',
    ]);
  });
});

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

describe('forged Bot Framework tokens and hostile bodies (issue 12, fault 6)', () => {
  const APP = '00000000-0000-0000-0000-000000000001';
  const claims = () => ({
    iss: 'https://api.botframework.com',
    aud: APP,
    serviceurl: 'https://smba.trafficmanager.net/emea/',
    nbf: Math.floor(Date.now() / 1000) - 60,
    exp: Math.floor(Date.now() / 1000) + 3600,
  });

  it('a stranger’s RS256 signature, alg none and HS256 are 401, never 500, and write nothing', async () => {
    const logs: string[] = [];
    const endpoint = botEndpoint(
      w.running.deps,
      botSettings({ MicrosoftAppId: APP, OVERT_BOT_TENANTS: 'demo-tenant' }),
      (s) => logs.push(s),
    );
    const server = createServer((req, res) => void endpoint.handler(req, res));
    await new Promise<void>((r) => server.listen(0, r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const head = b64({ alg: 'RS256', typ: 'JWT', kid: 'a-strangers-key' });
      const body = b64(claims());
      const rs256 = `${head}.${body}.${createSign('RSA-SHA256').update(`${head}.${body}`).sign(privateKey).toString('base64url')}`;
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${body}.`;
      const hsHead = b64({ alg: 'HS256', typ: 'JWT' });
      const hs256 = `${hsHead}.${body}.${createHmac('sha256', 'guessed').update(`${hsHead}.${body}`).digest('base64url')}`;
      const before = await state();
      const events = (await w.running.store.audit.list()).length;
      for (const token of [rs256, none, hs256, 'not.a.token', '']) {
        const r = await post(url, activity(TM, `personal-${TM}`, { type: 'message', text: 'my requests' }), {
          authorization: `Bearer ${token}`,
        });
        expect({ token: token.slice(0, 20), status: r.status }).toEqual({
          token: token.slice(0, 20),
          status: 401,
        });
        expect(r.json.title).toBe('Unauthorized');
        // A plain reason only: no library wording, no host, no network error (offline, the signing keys
        // cannot be fetched: that detail is in the log, never in the body).
        expect(r.json.detail).toMatch(
          /^the request is not authenticated(: the sign-in could not be checked)?$/,
        );
        expect(JSON.stringify(r.json)).not.toMatch(
          /botframework\.com|ENOTFOUND|getaddrinfo|request to|fetch failed/i,
        );
      }
      expect(logs.join('\n')).toMatch(/bot: authentication failed: /);
      expect(await state()).toEqual(before);
      expect((await w.running.store.audit.list()).length).toBe(events);
    } finally {
      endpoint.stop();
      await new Promise((r) => server.close(r));
    }
  });

  it('a 5,000-deep nested activity is 400, and so is one nested 65 deep; 60 deep is still an activity', async () => {
    const nest = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const deep = (n: number) =>
      JSON.stringify(activity(CM, `personal-${CM}`, { type: 'message', text: 'hi' })).replace(
        /}$/,
        `,"channelData2":${nest(n)}}`,
      );
    for (const n of [5000, 65]) {
      const r = await post(w.url, deep(n));
      expect(r.status).toBe(400);
      expect(r.json.detail).toMatch(/nests deeper than 64 levels/);
    }
    const arrays = await post(w.url, `{"type":"message","value":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    expect(arrays.status).toBe(400);
    // Brackets inside text do not count.
    const quoted = await post(
      w.url,
      activity(CM, `personal-${CM}`, {
        type: 'message',
        text: `hi ${'{['.repeat(3000)}`,
        deliveryMode: 'expectReplies',
      }),
    );
    expect(quoted.status).toBe(200);
    expect((await post(w.url, deep(58))).status).toBe(200);
  });
});
