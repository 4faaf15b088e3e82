/**
 * What a holder or a relying party reads off a paper bill to name it (查验, reimbursement marks): the
 * code, the number and the check code as printed, one rule for every request that carries them.
 */
import { z } from "zod";

export const printedFields = {
  billCode: z
    .string()
    .regex(/^\d{8}$/, "must be 8 digits")
    .describe("票据代码 as printed, 8 digits."),
  billNumber: z
    .string()
    .regex(/^\d{10}$/, "must be 10 digits")
    .describe("票据号码 as printed, 10 digits."),
  checkCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[0-9A-Z]{6}$/, "must be 6 letters or digits")
    .describe("校验码 as printed."),
};
