import { z } from 'zod';
import type { StoreOutcome } from '../store';
import { Batcher, errorOf, ok, type GraphCall } from './batch';
import type { GraphConfig } from './config';
import { readSite } from './connect';
import { columnDefinition, listKeys, listSpecs, type ColumnSpec } from './lists';

/**
 * Provisioning: the lists, columns and indexes Overt needs, created or corrected idempotently. The
 * plan compares the site with `listSpecs`; applying it twice changes nothing the second time.
 */

export type Step =
  | { op: 'create-list'; list: string; columns: string[] }
  | { op: 'add-column'; list: string; column: string }
  | { op: 'index-column'; list: string; column: string; unique: boolean }
  | { op: 'type-mismatch'; list: string; column: string; want: string; have: string };

export type Plan = { siteId: string; steps: Step[] };

const Column = z.object({
  id: z.string(),
  name: z.string(),
  indexed: z.boolean().optional(),
  enforceUniqueValues: z.boolean().optional(),
  text: z.object({ allowMultipleLines: z.boolean().optional() }).optional(),
  number: z.object({}).optional(),
  dateTime: z.object({}).optional(),
  boolean: z.object({}).optional(),
});
type Column = z.infer<typeof Column>;
const Columns = z.object({ value: z.array(Column) });

function typeOf(c: Column): string {
  if (c.text) return c.text.allowMultipleLines ? 'note' : 'text';
  if (c.number) return 'number';
  if (c.dateTime) return 'date';
  if (c.boolean) return 'boolean';
  return 'other';
}

function compare(list: string, spec: ColumnSpec, have: Column | undefined): Step | undefined {
  if (!have) return { op: 'add-column', list, column: spec.name };
  if (typeOf(have) !== spec.type)
    return { op: 'type-mismatch', list, column: spec.name, want: spec.type, have: typeOf(have) };
  if ((spec.indexed && !have.indexed) || (spec.unique && !have.enforceUniqueValues))
    return { op: 'index-column', list, column: spec.name, unique: spec.unique };
  return undefined;
}

/** What provisioning would change on the site (two or three requests). */
export async function planProvision(
  batcher: Batcher,
  config: GraphConfig,
): Promise<StoreOutcome<Plan & { lists: Map<string, string>; columns: Map<string, Column[]> }>> {
  const site = await readSite(batcher, config);
  if (!site.ok) return site;
  const { siteId, lists } = site.value;
  const existing = listKeys.map((k) => listSpecs[k]).filter((s) => lists.has(s.name));
  const replies = await batcher.parallel(
    existing.map((s) => ({
      method: 'GET' as const,
      url: `/sites/${siteId}/lists/${lists.get(s.name)}/columns`,
    })),
  );
  const columns = new Map<string, Column[]>();
  for (const [i, s] of existing.entries()) {
    const r = replies[i]!;
    if (!ok(r)) throw new Error(`reading the columns of ${s.name}: ${r.status} ${errorOf(r).message}`);
    columns.set(s.name, Columns.parse(r.body).value);
  }
  const steps: Step[] = [];
  for (const key of listKeys) {
    const spec = listSpecs[key];
    const have = columns.get(spec.name);
    if (!have) {
      steps.push({ op: 'create-list', list: spec.name, columns: spec.columns.map((c) => c.name) });
      continue;
    }
    for (const c of spec.columns) {
      const step = compare(
        spec.name,
        c,
        have.find((h) => h.name === c.name),
      );
      if (step) steps.push(step);
    }
  }
  return { ok: true, value: { siteId, steps, lists, columns } };
}

/** Plans, then applies every fixable step (one `$batch` per 20 steps). A type mismatch cannot be fixed
 * in place and is reported as an error value. */
export async function provision(
  batcher: Batcher,
  config: GraphConfig,
  dryRun: boolean,
): Promise<StoreOutcome<Plan>> {
  const planned = await planProvision(batcher, config);
  if (!planned.ok) return planned;
  const { siteId, steps, lists, columns } = planned.value;
  const mismatch = steps.find((s) => s.op === 'type-mismatch');
  if (mismatch && mismatch.op === 'type-mismatch') {
    return {
      ok: false,
      error: {
        code: 'STORE_CONFIG_INVALID',
        message: `${mismatch.list}.${mismatch.column} is a ${mismatch.have} column, Overt needs ${mismatch.want}: rename or remove it by hand`,
      },
    };
  }
  if (dryRun || steps.length === 0) return { ok: true, value: { siteId, steps } };
  const specOf = (list: string) => listKeys.map((k) => listSpecs[k]).find((s) => s.name === list)!;
  const calls: GraphCall[] = steps.map((s): GraphCall => {
    const spec = specOf(s.list);
    const listUrl = `/sites/${siteId}/lists/${lists.get(s.list) ?? ''}`;
    if (s.op === 'create-list') {
      return {
        method: 'POST',
        url: `/sites/${siteId}/lists`,
        body: {
          displayName: spec.name,
          description: spec.description,
          list: { template: 'genericList' },
          columns: spec.columns.map(columnDefinition),
        },
      };
    }
    if (s.op === 'add-column') {
      return {
        method: 'POST',
        url: `${listUrl}/columns`,
        body: columnDefinition(spec.columns.find((c) => c.name === s.column)!),
      };
    }
    const id = columns.get(s.list)?.find((c) => c.name === s.column)?.id ?? s.column;
    return {
      method: 'PATCH',
      url: `${listUrl}/columns/${id}`,
      body: { indexed: true, ...(s.op === 'index-column' && s.unique ? { enforceUniqueValues: true } : {}) },
    };
  });
  const replies = await batcher.parallel(calls);
  const failed = replies.findIndex((r) => !ok(r));
  if (failed >= 0) {
    const r = replies[failed]!;
    return {
      ok: false,
      error: {
        code: 'STORE_CONFIG_INVALID',
        message: `provisioning ${JSON.stringify(steps[failed])} failed: ${r.status} ${errorOf(r).code} ${errorOf(r).message}`,
      },
    };
  }
  return { ok: true, value: { siteId, steps } };
}

/** The plan as lines a person reads. */
export function describeSteps(steps: Step[]): string[] {
  return steps.map((s) => {
    switch (s.op) {
      case 'create-list':
        return `create list ${s.list} with columns ${s.columns.join(', ')}`;
      case 'add-column':
        return `add column ${s.list}.${s.column}`;
      case 'index-column':
        return `index column ${s.list}.${s.column}${s.unique ? ' (unique values)' : ''}`;
      case 'type-mismatch':
        return `column ${s.list}.${s.column} is ${s.have}, needs ${s.want}`;
    }
  });
}
