/** The two request bodies of SPEC §7, verbatim, and helpers to vary them. */
export { MEDICAL_EXAMPLE, DONATION_EXAMPLE } from "../helpers/api";

/** A deep copy of `base` with `edit` applied, so each test starts from a pristine example. */
export function variant<T>(base: T, edit: (copy: any) => void): T {
  const copy = structuredClone(base);
  edit(copy);
  return copy;
}

export const ISSUER = {
  name: "示范市第一人民医院",
  creditCode: "91350100M000100Y43",
  account: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
};
