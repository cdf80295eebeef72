import type { CodeSystem, Location, Organization, Practitioner, PractitionerRole, Reference, Resource } from 'fhir/r4.js';
import { MESSAGE_PURPOSES, SYSTEMS, snomed } from './codes.js';

/** Staff who appear across the patients' records; display names reused in references. */
export const STAFF = {
  chen: { id: 'pr-chen', display: 'Dr. Sarah Chen' },
  patel: { id: 'pr-patel', display: 'Dr. Priya Patel' },
  alvarez: { id: 'pr-alvarez', display: 'Rosa Alvarez, RN' },
  brooks: { id: 'pr-brooks', display: 'Dr. Marcus Brooks' },
  okada: { id: 'pr-okada', display: 'Dr. Kenji Okada' },
} as const;

export const PLACES = {
  main: { id: 'loc-main', display: 'Riverside Family Health - Main Clinic' },
  lab: { id: 'loc-lab', display: 'Riverside Family Health - Laboratory' },
} as const;

export const DEFAULT_PRACTITIONER_ID = STAFF.chen.id;

export function staff(member: { id: string; display: string }): Reference {
  return { reference: `Practitioner/${member.id}`, display: member.display };
}

const CLINIC_ADDRESS = {
  use: 'work' as const,
  line: ['2150 Riverside Boulevard'],
  city: 'Sacramento',
  state: 'CA',
  postalCode: '95818',
  country: 'US',
};
const ORG_REF = { reference: 'Organization/org-riverside', display: 'Riverside Family Health' };

function organization(): Organization {
  return {
    resourceType: 'Organization',
    id: 'org-riverside',
    active: true,
    type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/organization-type', code: 'prov', display: 'Healthcare Provider' }] }],
    name: 'Riverside Family Health',
    telecom: [
      { system: 'phone', value: '+1-916-555-0140', use: 'work' },
      { system: 'url', value: 'https://riverside.example' },
    ],
    address: [CLINIC_ADDRESS],
  };
}

interface StaffSpec {
  key: keyof typeof STAFF;
  family: string;
  given: string[];
  prefix?: string;
  suffix: string;
  gender: 'female' | 'male';
  staffNumber: string;
  qualification: { code: string; display: string };
  role: { code: string; display: string };
  specialty?: { code: string; display: string };
  location: keyof typeof PLACES;
}

const STAFF_SPECS: StaffSpec[] = [
  { key: 'chen', family: 'Chen', given: ['Sarah'], prefix: 'Dr.', suffix: 'MD', gender: 'female', staffNumber: 'S-1001',
    qualification: { code: 'MD', display: 'Doctor of Medicine' }, role: { code: 'doctor', display: 'Doctor' },
    specialty: { code: '419772000', display: 'Family practice' }, location: 'main' },
  { key: 'patel', family: 'Patel', given: ['Priya'], prefix: 'Dr.', suffix: 'MD', gender: 'female', staffNumber: 'S-1002',
    qualification: { code: 'MD', display: 'Doctor of Medicine' }, role: { code: 'doctor', display: 'Doctor' },
    specialty: { code: '394593009', display: 'Medical oncology' }, location: 'main' },
  { key: 'alvarez', family: 'Alvarez', given: ['Rosa'], suffix: 'RN', gender: 'female', staffNumber: 'S-1003',
    qualification: { code: 'RN', display: 'Registered Nurse' }, role: { code: 'nurse', display: 'Nurse' }, location: 'main' },
  { key: 'brooks', family: 'Brooks', given: ['Marcus'], prefix: 'Dr.', suffix: 'MD', gender: 'male', staffNumber: 'S-1004',
    qualification: { code: 'MD', display: 'Doctor of Medicine' }, role: { code: 'doctor', display: 'Doctor' },
    specialty: { code: '394579002', display: 'Cardiology' }, location: 'main' },
  { key: 'okada', family: 'Okada', given: ['Kenji'], prefix: 'Dr.', suffix: 'MD', gender: 'male', staffNumber: 'S-1005',
    qualification: { code: 'MD', display: 'Doctor of Medicine' }, role: { code: 'doctor', display: 'Doctor' },
    specialty: { code: '394915009', display: 'General pathology' }, location: 'lab' },
];

function practitioner(s: StaffSpec, index: number): Practitioner {
  return {
    resourceType: 'Practitioner',
    id: STAFF[s.key].id,
    // A clinic staff number rather than an NPI: made-up NPIs could belong to real clinicians.
    identifier: [{ system: SYSTEMS.staffId, value: s.staffNumber }],
    active: true,
    name: [{
      use: 'official', family: s.family, given: s.given,
      ...(s.prefix ? { prefix: [s.prefix] } : {}), suffix: [s.suffix],
      text: STAFF[s.key].display,
    }],
    telecom: [{ system: 'phone', value: `+1-916-555-01${String(50 + index).padStart(2, '0')}`, use: 'work' }],
    gender: s.gender,
    qualification: [{ code: { coding: [{ system: SYSTEMS.qualification, code: s.qualification.code, display: s.qualification.display }] } }],
  };
}

function practitionerRole(s: StaffSpec): PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    id: `role-${s.key}`,
    active: true,
    practitioner: { reference: `Practitioner/${STAFF[s.key].id}`, display: STAFF[s.key].display },
    organization: ORG_REF,
    code: [{ coding: [{ system: SYSTEMS.practitionerRole, code: s.role.code, display: s.role.display }] }],
    ...(s.specialty ? { specialty: [snomed(s.specialty.code, s.specialty.display)] } : {}),
    location: [{ reference: `Location/${PLACES[s.location].id}` }],
  };
}

function locations(): Location[] {
  return [
    {
      resourceType: 'Location', id: PLACES.main.id, status: 'active', mode: 'instance', name: PLACES.main.display,
      description: 'Primary care, cardiology and oncology clinics; free parking behind the building.',
      telecom: [{ system: 'phone', value: '+1-916-555-0140', use: 'work' }],
      address: CLINIC_ADDRESS,
      managingOrganization: ORG_REF,
    },
    {
      resourceType: 'Location', id: PLACES.lab.id, status: 'active', mode: 'instance', name: PLACES.lab.display,
      description: 'Blood draws Monday to Friday 7:00-15:30, no appointment needed for routine tests.',
      telecom: [{ system: 'phone', value: '+1-916-555-0145', use: 'work' }],
      address: { ...CLINIC_ADDRESS, line: ['2150 Riverside Boulevard', 'Suite 110'] },
      managingOrganization: ORG_REF,
      partOf: { reference: `Location/${PLACES.main.id}` },
    },
  ];
}

/** The purposes a patient picks when starting a portal message. */
function messagePurposeCodeSystem(): CodeSystem {
  return {
    resourceType: 'CodeSystem',
    id: 'message-purpose',
    url: SYSTEMS.messagePurpose,
    name: 'MessagePurpose',
    title: 'Portal message purpose',
    status: 'active',
    content: 'complete',
    caseSensitive: true,
    concept: Object.entries(MESSAGE_PURPOSES).map(([code, display]) => ({ code, display })),
  };
}

export function sharedResources(): Resource[] {
  return [
    messagePurposeCodeSystem(),
    organization(),
    ...locations(),
    ...STAFF_SPECS.map(practitioner),
    ...STAFF_SPECS.map(practitionerRole),
  ];
}
