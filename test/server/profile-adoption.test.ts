import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProfileFile } from '../../src/policy/load';
import { openStore } from '../../src/store/open';
import { createDeps } from '../../src/workflow';
import { checkAdopted, ProfileNotAdoptedHere } from '../../src/workflow/profile-adoption';
import { tempDirs } from '../store/temp-dirs';
import { byMsg, startInstance, type Instance } from './instances';

/**
 * Issue 18: two instances on one data folder with different versions of a custom profile must not judge the
 * same request differently without anyone knowing. The folder records the versions adopted (an instance
 * started with a new version adopts it, audited); an instance that lacks an adopted version does not start,
 * naming it, and one already running when another adopts a newer version does not judge by that profile.
 */
const dirs = tempDirs('profile-adoption');
let instances: Instance[] = [];
afterEach(() => {
  for (const i of instances) if (i.child.exitCode === null) i.child.kill('SIGKILL');
  instances = [];
});
afterAll(dirs.cleanup);

const V1 = join(__dirname, '../../examples/fernmoor/fernmoor.json');

it('an instance without a version the data folder has adopted does not start, and says which', async () => {
  const base = dirs.make();
  const data = join(base, 'data');
  const V2 = join(base, 'fernmoor-v2.json');
  const raw = JSON.parse(readFileSync(V1, 'utf8'));
  // Version 2 takes effect in the future: a version adopted after another cannot be backdated (below).
  writeFileSync(V2, JSON.stringify({ ...raw, version: '2', effectiveDate: '2099-07-01' }));

  // The first instance, with version 1: logs what it loaded, and the folder adopts version 1.
  const a = await startInstance({ OVERT_DATA: data, OVERT_PROFILE_FILES: V1 });
  instances.push(a);
  const loaded = await a.waitFor(byMsg(/^custom profiles loaded: fernmoor-cs v1$/));
  expect(loaded.customProfiles).toEqual([
    expect.objectContaining({
      id: 'fernmoor-cs',
      version: '1',
      fingerprint: expect.stringMatching(/^sha256:/),
    }),
  ]);
  await a.waitFor(byMsg('adopted in this data folder: fernmoor-cs v1'));

  // A second instance, with versions 1 and 2, adopts version 2 beside the first.
  const b = await startInstance({ OVERT_DATA: data, OVERT_PROFILE_FILES: `${V2},${V1}` });
  instances.push(b);
  await b.waitFor(byMsg('adopted in this data folder: fernmoor-cs v2'));

  // The first instance, still running with version 1 only, no longer judges by Fernmoor: what it would
  // decide could differ from the second's. (Its workflow, over the same folder.)
  const opened = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  const v1 = loadProfileFile(V1);
  if (!v1.ok) throw new Error(v1.error.message);
  try {
    const onlyV1 = createDeps(opened.value, { customProfiles: [v1.value] });
    await expect(checkAdopted(onlyV1, 'fernmoor-cs')).rejects.toThrow(ProfileNotAdoptedHere);
    await expect(checkAdopted(onlyV1, 'fernmoor-cs')).rejects.toThrow(
      /profile fernmoor-cs version 2 .*is adopted in this data folder but this instance has not loaded it: add the file that holds it to OVERT_PROFILE_FILES/,
    );
    // Adoption is on the audit trail, with each version's fingerprint.
    const adopted = (await opened.value.audit.list()).filter((e) => e.action === 'profile.adopt');
    expect(adopted.map((e) => [e.profileId, e.profileVersion])).toEqual([
      ['fernmoor-cs', '1'],
      ['fernmoor-cs', '2'],
    ]);
  } finally {
    await opened.value.close();
  }

  // A third instance started with version 1 only refuses to start, naming the version it lacks.
  await expect(startInstance({ OVERT_DATA: data, OVERT_PROFILE_FILES: V1 }, 30_000)).rejects.toThrow(
    /fernmoor-cs version 2 .*is adopted in this data folder but this instance has not loaded it/,
  );
}, 240_000);

it('a new version dated before the day it would be adopted, or before an earlier version, is refused at start', async () => {
  const base = dirs.make();
  const data = join(base, 'data');
  const raw = JSON.parse(readFileSync(V1, 'utf8'));
  const today = new Date().toISOString().slice(0, 10);
  const file = (name: string, version: string, effectiveDate: string) => {
    const path = join(base, name);
    writeFileSync(path, JSON.stringify({ ...raw, version, effectiveDate }));
    return path;
  };
  // Version 1.5 between version 1 (1 April 2026) and today: decisions were made under version 1 since.
  const retro = file('v1.5.json', '1.5', '2026-05-01');
  const before = file('v3.json', '3', '2026-03-01');

  const a = await startInstance({ OVERT_DATA: data, OVERT_PROFILE_FILES: V1 });
  instances.push(a);
  await a.waitFor(byMsg('adopted in this data folder: fernmoor-cs v1'));

  await expect(
    startInstance({ OVERT_DATA: data, OVERT_PROFILE_FILES: `${V1},${retro}` }, 30_000),
  ).rejects.toThrow(
    /profile fernmoor-cs version 1\.5 would take effect on 1 May 2026, before today .*when it would be adopted: decisions were made under the versions already adopted \(1\)/,
  );
  // A later version taking effect before an earlier one is refused however new the data folder.
  await expect(
    startInstance({ OVERT_DATA: join(base, 'fresh'), OVERT_PROFILE_FILES: `${V1},${before}` }, 30_000),
  ).rejects.toThrow(/version 3 takes effect on 1 March 2026, before version 1 \(1 April 2026\)/);

  // Nothing was adopted by the refused instances: the folder still holds version 1 only.
  const opened = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  try {
    const adopted = (await opened.value.audit.list()).filter((e) => e.action === 'profile.adopt');
    expect(adopted.map((e) => e.profileVersion)).toEqual(['1']);
  } finally {
    await opened.value.close();
  }

  // Dated today, version 2 is adopted.
  const now = file('v2.json', '2', today);
  const b = await startInstance({ OVERT_DATA: data, OVERT_PROFILE_FILES: `${V1},${now}` });
  instances.push(b);
  await b.waitFor(byMsg('adopted in this data folder: fernmoor-cs v2'));
}, 240_000);
