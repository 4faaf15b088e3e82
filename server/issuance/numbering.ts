/**
 * Bill numbers come from the ranges the bureau allots (号段). A number is taken inside the same
 * transaction that stores the bill, so a failed issue gives its number back: numbers stay gapless.
 */
import { sql } from "kysely";
import type { Db } from "../store/database";
import { ApiError } from "../http/errors";

export interface BillNo {
  billCode: string;
  billNumber: string;
}

export function formatBillNumber(n: number): string {
  return String(n).padStart(10, "0");
}

export async function takeBillNumber(trx: Db, institutionId: string): Promise<BillNo> {
  // Two tries: under PostgreSQL a concurrent issue may exhaust the chosen range between the
  // sub-select and the row lock; the outer condition is re-checked then and the update finds nothing.
  for (let attempt = 0; attempt < 2; attempt++) {
    const row = await trx
      .updateTable("bill_ranges")
      .set({ next_number: sql<number>`next_number + 1` })
      .where("id", "=", (eb) =>
        eb
          .selectFrom("bill_ranges")
          .select("id")
          .where("institution_id", "=", institutionId)
          .whereRef("next_number", "<=", "end_number")
          .orderBy("start_number")
          .limit(1),
      )
      .whereRef("next_number", "<=", "end_number")
      .returning(["bill_code", sql<number>`next_number - 1`.as("number")])
      .executeTakeFirst();
    if (row) return { billCode: row.bill_code, billNumber: formatBillNumber(Number(row.number)) };
  }
  throw new ApiError("RANGE_EXHAUSTED");
}

export interface RangeInput {
  institutionId: string;
  billCode: string;
  start: number;
  end: number;
  /** the registry transaction that allotted it on chain (null when the chain already held it) */
  txHash?: string | null;
}

/**
 * Records a range the registrar has allotted on chain (the registry is the authority: docs/PROTOCOL.md
 * §7); ranges of one bill code never overlap. Inside a transaction it is part of it.
 */
export async function allotRange(db: Db, r: RangeInput, now = Date.now()): Promise<string> {
  if (!/^\d{8}$/.test(r.billCode)) throw new ApiError("VALIDATION_FAILED", "billCode must be 8 digits");
  if (!(Number.isInteger(r.start) && Number.isInteger(r.end) && r.start >= 1 && r.end >= r.start && r.end <= 9_999_999_999)) {
    throw new ApiError("VALIDATION_FAILED", "the range must satisfy 1 ≤ start ≤ end ≤ 9999999999");
  }
  const inTransaction = <T>(f: (trx: Db) => Promise<T>): Promise<T> => (db.isTransaction ? f(db) : db.transaction().execute(f));
  return inTransaction(async (trx) => {
    const overlap = await trx
      .selectFrom("bill_ranges")
      .select("id")
      .where("bill_code", "=", r.billCode)
      .where("start_number", "<=", r.end)
      .where("end_number", ">=", r.start)
      .executeTakeFirst();
    if (overlap) throw new ApiError("VALIDATION_FAILED", "the range overlaps a range already allotted for this bill code");
    const id = `rng_${r.billCode}_${r.start}`;
    await trx
      .insertInto("bill_ranges")
      .values({
        id,
        institution_id: r.institutionId,
        bill_code: r.billCode,
        start_number: r.start,
        end_number: r.end,
        next_number: r.start,
        created_at: now,
        tx_hash: r.txHash ?? null,
      })
      .execute();
    return id;
  });
}
