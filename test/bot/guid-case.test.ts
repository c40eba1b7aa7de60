/**
 * Entra object ids are GUIDs, matched whatever their case (issue 20 walk): a person mapped by their object id
 * in lower case is known when Teams sends it in upper case. Over HTTP against the bot endpoint.
 */
import { activity, post, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
const OID = 'aaaaaaaa-0000-4000-8000-00000000000a';
beforeAll(async () => {
  w = await botWorld({ OVERT_AUTH_STAFF_MAP: JSON.stringify({ [OID]: 'demo-cm-north-1' }) });
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

it('an object id in another case names the same person', async () => {
  const a = activity('demo-cm-north-1', 'personal-guid', {
    type: 'message',
    text: 'help',
    deliveryMode: 'expectReplies',
  }) as {
    from: Record<string, string>;
  };
  a.from = { ...a.from, aadObjectId: OID.toUpperCase() };
  const r = await post(w.url, a);
  expect(r.status).toBe(200);
  const texts = ((r.json?.activities ?? []) as { attachments?: { content: unknown }[] }[]).map((x) =>
    textOf(x.attachments?.[0]?.content),
  );
  expect(texts.length).toBeGreaterThan(0);
  expect(texts.join('\n')).not.toMatch(/Overt does not know you/);
  expect(texts.join('\n')).toMatch(/What Overt can do/);
});
