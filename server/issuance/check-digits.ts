/**
 * Check characters of the two identifiers printed on bills.
 *
 * Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a 31-character
 * alphabet (digits and uppercase letters without I, O, S, V, Z). Positions 3–8 are the administrative
 * division code (digits). The 18th character is C18 = 31 − (Σ value(Ci)·Wi mod 31), with Wi = 3^(i−1)
 * mod 31, and 31 written as "0". The embedded GB 11714 organisation code (positions 9–17) has its own
 * check digit; it is not enforced here: this validator checks what GB 32100 itself defines (alphabet,
 * division digits, the 18th character), and demo institutions use synthetic organisation codes.
 *
 * Resident identity number (公民身份号码, GB 11643-1999): 6-digit address code, 8-digit birth date,
 * 3-digit sequence, and an ISO 7064 MOD 11-2 check character (0–9 or X).
 *
 * Validators are strict about case (the canonical bill form is uppercase); the schema uppercases
 * input before calling them.
 */

const CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const CREDIT_PREFIX_RE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{9}$/;

/** The GB 32100 check character for the first 17 characters; throws if they are malformed. */
export function creditCodeCheckChar(prefix17: string): string {
  if (!CREDIT_PREFIX_RE.test(prefix17)) {
    throw new RangeError(`not a credit code prefix (17 characters, GB 32100 alphabet): ${prefix17}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_ALPHABET.indexOf(prefix17[i]) * CREDIT_WEIGHTS[i];
  return CREDIT_ALPHABET[(31 - (sum % 31)) % 31];
}

/** Completes a 17-character prefix into a valid credit code (for demo and test institutions). */
export function makeCreditCode(prefix17: string): string {
  return prefix17 + creditCodeCheckChar(prefix17);
}

export function isValidCreditCode(code: unknown): code is string {
  if (typeof code !== "string" || code.length !== 18) return false;
  const prefix = code.slice(0, 17);
  if (!CREDIT_PREFIX_RE.test(prefix)) return false;
  return creditCodeCheckChar(prefix) === code[17];
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** check character indexed by Σ mod 11 (ISO 7064 MOD 11-2) */
const ID_CHECK = "10X98765432";
const ID_RE = /^[1-9]\d{16}[\dX]$/;

/** The ISO 7064 MOD 11-2 check character of 17 digits; throws if they are not 17 digits. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError(`not 17 digits: ${first17}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/** True if yyyymmdd is a real calendar date between 1900-01-01 and `now` (Asia/Shanghai-agnostic). */
function isPlausibleBirthDate(yyyymmdd: string, now: Date): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false;
  // one day of slack: a newborn registered "today" in China may still be "yesterday" in UTC
  return date.getTime() <= now.getTime() + 86_400_000;
}

export type ResidentIdProblem = "FORMAT" | "BIRTH_DATE" | "CHECK";

/** Why a resident ID is invalid, or null if it is valid. */
export function residentIdProblem(id: unknown, now: Date = new Date()): ResidentIdProblem | null {
  if (typeof id !== "string" || !ID_RE.test(id)) return "FORMAT";
  if (!isPlausibleBirthDate(id.slice(6, 14), now)) return "BIRTH_DATE";
  return residentIdCheckChar(id.slice(0, 17)) === id[17] ? null : "CHECK";
}

export function isValidResidentId(id: unknown, now: Date = new Date()): id is string {
  return residentIdProblem(id, now) === null;
}

/**
 * Foreign permanent resident ID card (外国人永久居留身份证), 2017 format: 18 characters, "9", a
 * 2-digit code of the accepting province, a 3-digit nationality code (ISO 3166-1 numeric), the 8-digit
 * birth date (characters 7–14), a 3-digit sequence, and the same ISO 7064 MOD 11-2 check character as
 * the resident identity number (GB 11643).
 */
const FOREIGN_PR_RE = /^9\d{16}[\dX]$/;

export function foreignPermanentResidentIdProblem(id: unknown, now: Date = new Date()): ResidentIdProblem | null {
  if (typeof id !== "string" || !FOREIGN_PR_RE.test(id)) return "FORMAT";
  if (!isPlausibleBirthDate(id.slice(6, 14), now)) return "BIRTH_DATE";
  return residentIdCheckChar(id.slice(0, 17)) === id[17] ? null : "CHECK";
}

/** The payer's or donor's identity document (证件类型). */
export const ID_TYPES = ["resident-id", "passport", "hk-macao-permit", "taiwan-permit", "foreign-permanent-resident-id", "credit-code", "none"] as const;
export type IdType = (typeof ID_TYPES)[number];

export const ID_TYPE_NAMES: Record<IdType, { zh: string; en: string }> = {
  "resident-id": { zh: "居民身份证", en: "Resident ID" },
  passport: { zh: "护照", en: "Passport" },
  "hk-macao-permit": { zh: "港澳居民来往内地通行证", en: "HK/Macao permit" },
  "taiwan-permit": { zh: "台湾居民来往大陆通行证", en: "Taiwan permit" },
  "foreign-permanent-resident-id": { zh: "外国人永久居留身份证", en: "Foreign PR ID" },
  "credit-code": { zh: "统一社会信用代码", en: "Credit code" },
  none: { zh: "无", en: "None" },
};

/**
 * The rule of each document, as documented in the API:
 * - resident-id: GB 11643, 18 characters, a real birth date, the MOD 11-2 check character;
 * - foreign-permanent-resident-id: the 2017 card, "9" then 17 characters, birth date and check as GB 11643;
 * - credit-code: GB 32100, 18 characters of its alphabet with its check character;
 * - hk-macao-permit (回乡证): H (Hong Kong) or M (Macao) and 8 digits, optionally 2 more (the issue count of older cards);
 * - taiwan-permit (台胞证): 8 digits, optionally 2 more (the issue count of older cards);
 * - passport: 5 to 17 Latin capital letters and digits (ICAO 9303 document number; Chinese passports are E/G…);
 * - none: no number.
 */
export const ID_RULES: Record<Exclude<IdType, "none">, { pattern: RegExp; rule: string }> = {
  "resident-id": { pattern: ID_RE, rule: "GB 11643: 18 characters, 17 digits then a digit or X, a real birth date, the ISO 7064 MOD 11-2 check character" },
  "foreign-permanent-resident-id": {
    pattern: FOREIGN_PR_RE,
    rule: "2017 card: 18 characters, 9 then 16 digits then a digit or X, a real birth date (characters 7–14), the GB 11643 check character",
  },
  "credit-code": {
    pattern: /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/,
    rule: "GB 32100: 18 characters of 0-9 and A-Z without I, O, S, V, Z, with its check character",
  },
  "hk-macao-permit": { pattern: /^[HM]\d{8}(\d{2})?$/, rule: "H or M, then 8 digits (10 on older cards)" },
  "taiwan-permit": { pattern: /^\d{8}(\d{2})?$/, rule: "8 digits (10 on older cards)" },
  passport: { pattern: /^[A-Z0-9]{5,17}$/, rule: "5 to 17 Latin capital letters and digits (ICAO 9303 document number)" },
};

/** Why `id` is not a valid number of this document, in words, or null when it is. */
export function idNumberProblem(type: Exclude<IdType, "none">, id: string, now: Date = new Date()): string | null {
  const rule = ID_RULES[type];
  if (type === "resident-id" || type === "foreign-permanent-resident-id") {
    const p = type === "resident-id" ? residentIdProblem(id, now) : foreignPermanentResidentIdProblem(id, now);
    if (p === null) return null;
    return { FORMAT: rule.rule, BIRTH_DATE: "its birth date is not a real past date", CHECK: "its check character is wrong" }[p];
  }
  if (type === "credit-code") return isValidCreditCode(id) ? null : rule.rule;
  return rule.pattern.test(id) ? null : rule.rule;
}
