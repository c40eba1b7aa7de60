/** Canonical JSON lives in src/util (it is pure: the policy uses it too). */
export * from '../util/canonical-json';
