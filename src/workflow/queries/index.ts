/** The workflow's queries: what the bot (and any surface) shows, read on the same look-ups the commands use. */
export * from './people';
export * from './children';
export * from './request';
export * from './records';
