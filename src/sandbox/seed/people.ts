import type { ContactPoint, Patient, RelatedPerson } from 'fhir/r4.js';
import { language, SYSTEMS } from './codes.js';
import type { PatientRecord } from './record.js';

export interface PersonSpec {
  given: string[];
  family: string;
  gender: 'female' | 'male';
  birthDate: string;
  mrn: string;
  email: string;
  phone: string;
  address: { line: string; city: string; postalCode: string };
  languages: { code: 'en' | 'es' | 'vi'; display: string; preferred?: boolean }[];
}

function telecom(email: string, phone: string): ContactPoint[] {
  return [
    { system: 'email', value: email, use: 'home' },
    { system: 'phone', value: phone, use: 'mobile' },
  ];
}

export function patientResource(rec: PatientRecord, p: PersonSpec): Patient {
  return rec.add({
    resourceType: 'Patient',
    id: rec.patientId,
    identifier: [{
      use: 'usual',
      type: { coding: [{ system: SYSTEMS.identifierType, code: 'MR', display: 'Medical record number' }] },
      system: SYSTEMS.mrn,
      value: p.mrn,
    }],
    active: true,
    name: [{ use: 'official', family: p.family, given: p.given, text: `${p.given.join(' ')} ${p.family}` }],
    telecom: telecom(p.email, p.phone),
    gender: p.gender,
    birthDate: p.birthDate,
    address: [{ use: 'home', type: 'both', line: [p.address.line], city: p.address.city, state: 'CA',
      postalCode: p.address.postalCode, country: 'US' }],
    communication: p.languages.map((l) => ({ language: language(l.code, l.display), ...(l.preferred ? { preferred: true } : {}) })),
    generalPractitioner: [{ reference: 'Practitioner/pr-chen', display: 'Dr. Sarah Chen' }],
    managingOrganization: { reference: 'Organization/org-riverside', display: 'Riverside Family Health' },
  });
}

export interface ProxySpec {
  id: string;
  given: string[];
  family: string;
  gender: 'female' | 'male';
  relationship: { code: 'MTH' | 'FTH' | 'DAU' | 'SON' | 'GRD'; display: string };
  email: string;
  phone: string;
}

/** Someone who may act for the patient in the portal (v3-RoleCode personal relationship). */
export function proxyResource(rec: PatientRecord, p: ProxySpec): RelatedPerson {
  return rec.add({
    resourceType: 'RelatedPerson',
    id: p.id,
    active: true,
    patient: rec.patient,
    relationship: [{ coding: [{ system: SYSTEMS.roleCode, code: p.relationship.code, display: p.relationship.display }], text: p.relationship.display }],
    name: [{ use: 'official', family: p.family, given: p.given, text: `${p.given.join(' ')} ${p.family}` }],
    telecom: telecom(p.email, p.phone),
    gender: p.gender,
  });
}
