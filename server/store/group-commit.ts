/**
 * Group commit for SQLite. With synchronous = FULL every COMMIT waits for an fsync (about 1.8 ms per
 * commit on the benchmark machine), and better-sqlite3 waits synchronously, on the event loop: one
 * transaction per issued bill capped issuing near 550 bills/s whatever the CPU. Writers that each need
 * a transaction of their own queue here instead; a group runs them one after the other inside one
 * transaction, each in its own savepoint, and they share its single COMMIT.
 *
 * Guarantees are those of one transaction per writer: a writer's promise resolves only after the
 * COMMIT that made its writes durable; a writer that throws is rolled back to its savepoint alone (a
 * bill number it took is given back); a failed COMMIT rejects every writer of the group.
 * PostgreSQL (many connections, no fsync on the event loop) keeps plain transactions.
 */
import type { Db } from "./schema";

type Writer = (trx: Db) => Promise<unknown>;

interface Job {
  fn: Writer;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Writers per COMMIT at most: bounds how long a group holds the connection from other queries. */
const MAX_GROUP = 128;
const committers = new WeakMap<Db, GroupCommitter>();

class GroupCommitter {
  private readonly queue: Job[] = [];
  private running = false;
  /** COMMITs issued, and writers they carried */
  readonly stats = { commits: 0, writers: 0 };

  constructor(private readonly db: Db) {}

  run<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve, reject });
      if (!this.running) {
        this.running = true;
        void this.drain();
      }
    });
  }

  /**
   * better-sqlite3 answers within microtasks, so a group started at once would commit before the
   * event loop reads the next request: each group waits for the end of the current I/O phase
   * (setImmediate), gathering every request that phase delivered, including those that arrived
   * during the previous COMMIT's fsync.
   */
  private async drain(): Promise<void> {
    try {
      do {
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.group();
      } while (this.queue.length > 0);
    } finally {
      this.running = false;
    }
  }

  /** One transaction: writers join it while it is open, up to MAX_GROUP, then it commits. */
  private async group(): Promise<void> {
    let trx;
    try {
      trx = await this.db.startTransaction().execute();
    } catch (err) {
      for (const job of this.queue.splice(0, MAX_GROUP)) job.reject(err);
      return;
    }
    const done: { job: Job; value: unknown }[] = [];
    try {
      for (let taken = 0; taken < MAX_GROUP && this.queue.length > 0; taken++) {
        const job = this.queue.shift() as Job;
        const sp = await trx.savepoint("writer").execute();
        try {
          done.push({ job, value: await job.fn(sp) });
          await sp.releaseSavepoint("writer").execute();
        } catch (err) {
          if (done[done.length - 1]?.job === job) done.pop();
          job.reject(err);
          await sp.rollbackToSavepoint("writer").execute();
        }
      }
      await trx.commit().execute();
      this.stats.commits++;
      this.stats.writers += done.length;
    } catch (err) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      for (const d of done) d.job.reject(err);
      return;
    }
    for (const d of done) d.job.resolve(d.value);
  }
}

/** Lets writers of `db` (an SQLite store) share commits; see inGroupCommit. */
export function enableGroupCommit(db: Db): void {
  committers.set(db, new GroupCommitter(db));
}

/**
 * Runs `fn` in a transaction of its own as far as it can tell, resolving once its writes are durable:
 * grouped with concurrent writers when group commit is enabled for `db`, else a plain transaction.
 * `fn` must use only the `trx` it is given.
 */
export function inGroupCommit<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  const committer = committers.get(db);
  return committer ? committer.run(fn) : db.transaction().execute(fn);
}

/** How many COMMITs carried how many writers since `db` was opened; null without group commit. */
export function groupCommitStats(db: Db): { commits: number; writers: number } | null {
  const committer = committers.get(db);
  return committer ? { ...committer.stats } : null;
}
