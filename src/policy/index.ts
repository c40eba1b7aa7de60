export { evaluate, authorityName } from './evaluate';
export type { Verdict, Outcome, FiredRule, VerdictObligation } from './verdict';
export { Profile, Rule, Condition, ClauseId } from './profile';
export { Situation, Action, HistoryEvent, Actor, Role, Authority, ACTION_TYPES } from './situation';
export type { ActionType, SituationInput } from './situation';
export { builtinProfiles, builtinProfile, BUILTIN_IDS } from './builtin';
export { resolveProfile, loadProfileFile, parseProfile } from './load';
