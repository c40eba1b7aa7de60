/** `Action.Execute` for one of the bot's verbs: the data is typed by the verb's schema (verbs.ts). */
import { execute } from '../cards/build';
import type { ExecuteAction } from '../cards/types';
import type { Verb, VerbArgs } from '../verbs';

export function act<V extends Verb>(
  verb: V,
  title: string,
  data: VerbArgs<V>,
  props: Omit<ExecuteAction, 'type' | 'verb' | 'title' | 'data'> = {},
): ExecuteAction {
  const clean = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  return execute(verb, title, clean, props);
}
