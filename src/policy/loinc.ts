export const LOINC_SYSTEM = 'http://loinc.org';

const LOINC_SHAPE = /^(\d{1,7})-(\d)$/;

/**
 * LOINC codes end in a mod-10 check digit (https://loinc.org/kb/users-guide/ — "Calculating
 * Mod 10 check digits"). Checking it when a rules file loads catches a mistyped code, which
 * would otherwise silently leave a sensitive test unprotected.
 */
export function isValidLoinc(code: string): boolean {
  const m = LOINC_SHAPE.exec(code);
  if (!m) return false;
  const digits = m[1]!;
  let sum = 0;
  for (let i = digits.length - 1, pos = 1; i >= 0; i--, pos++) {
    let d = digits.charCodeAt(i) - 48;
    if (pos % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === Number(m[2]);
}
