/** A FHIR logical id (R4 §2.14 "id"): letters, digits, '-' and '.', at most 64 characters. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

