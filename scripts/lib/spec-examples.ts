/** SPEC §7's two request bodies and the national-field examples: one copy, in server/issuance/examples.ts (the OpenAPI document shows them too). */
export { MEDICAL_EXAMPLE, DONATION_EXAMPLE, INPATIENT_EXAMPLE, IN_KIND_EXAMPLE } from "../../server/issuance/examples";
