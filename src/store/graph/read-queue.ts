import { BATCH_LIMIT, type Batcher, type GraphCall, type GraphReply } from './batch';

/**
 * Coalesces reads: every GET asked for before the event loop turns (the six queries of a
 * `Promise.all`, a get beside a replay) goes out in one `$batch` (20 to a batch). A lone read is still
 * one request. A read marked `first` is made before every read asked for after it in the same turn
 * (`dependsOn` inside the batch; in two batches if there are more than 20), so a version read that way
 * is no newer than the records read with it.
 */
type Pending = {
  call: GraphCall;
  first: boolean;
  resolve: (r: GraphReply) => void;
  reject: (e: unknown) => void;
};

export class ReadQueue {
  private pending: Pending[] = [];

  private scheduled = false;

  constructor(private readonly batcher: Batcher) {}

  get(url: string, first = false): Promise<GraphReply> {
    return new Promise((resolve, reject) => {
      this.pending.push({ call: { method: 'GET', url }, first, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const taken = this.pending;
    this.pending = [];
    this.scheduled = false;
    const settle = (group: Pending[], replies: Promise<GraphReply[]>) =>
      replies.then(
        (r) => group.forEach((p, i) => p.resolve(r[i]!)),
        (e: unknown) => group.forEach((p) => p.reject(e)),
      );
    const last = taken.findLastIndex((p) => p.first);
    if (last < 0) {
      void settle(taken, this.batcher.parallel(taken.map((p) => p.call)));
    } else if (taken.length <= BATCH_LIMIT) {
      // Each read waits for the latest `first` read asked for before it.
      let barrier: number | undefined;
      const calls = taken.map((p, i) => {
        const call = barrier === undefined ? p.call : { ...p.call, after: barrier };
        if (p.first) barrier = i;
        return call;
      });
      void settle(taken, this.batcher.parallel(calls));
    } else {
      // Too many for one batch: what comes up to the last `first` read, then the rest.
      const before = taken.slice(0, last + 1);
      const rest = taken.slice(last + 1);
      const done = this.batcher.parallel(before.map((p) => p.call));
      void settle(before, done);
      void settle(
        rest,
        done.then(
          () => this.batcher.parallel(rest.map((p) => p.call)),
          () => this.batcher.parallel(rest.map((p) => p.call)),
        ),
      );
    }
  }
}
