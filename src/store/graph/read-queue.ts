import type { Batcher, GraphCall, GraphReply } from './batch';

/**
 * Coalesces reads: every GET asked for before the event loop turns (the six queries of a
 * `Promise.all`, a get beside a replay) goes out in one `$batch` (20 to a batch). A lone read is still
 * one request.
 */
export class ReadQueue {
  private pending: { call: GraphCall; resolve: (r: GraphReply) => void; reject: (e: unknown) => void }[] = [];

  private scheduled = false;

  constructor(private readonly batcher: Batcher) {}

  get(url: string): Promise<GraphReply> {
    return new Promise((resolve, reject) => {
      this.pending.push({ call: { method: 'GET', url }, resolve, reject });
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
    this.batcher.parallel(taken.map((p) => p.call)).then(
      (replies) => taken.forEach((p, i) => p.resolve(replies[i]!)),
      (e: unknown) => taken.forEach((p) => p.reject(e)),
    );
  }
}
