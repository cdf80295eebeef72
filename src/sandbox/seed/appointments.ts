import type { Appointment, AppointmentParticipant, CodeableConcept, Coding } from 'fhir/r4.js';
import { instant, shift } from './clock.js';
import { SYSTEMS } from './codes.js';
import { securityMeta, type PatientRecord } from './record.js';

export type VisitKind = 'ROUTINE' | 'FOLLOWUP' | 'CHECKUP' | 'WALKIN';
const KIND_DISPLAY: Record<VisitKind, string> = {
  ROUTINE: 'Routine appointment - default if not valued',
  FOLLOWUP: 'A follow up visit from a previous appointment',
  CHECKUP: 'A routine check-up, such as an annual physical',
  WALKIN: 'A previously unscheduled walk-in visit',
};

interface Common {
  kind: VisitKind;
  service: string;
  reason: string;
  description: string;
  practitioner: { id: string; display: string };
  location?: { id: string; display: string };
  created: Date;
  patientInstruction?: string;
  comment?: string;
  telehealthUrl?: string;
  landmark?: string;
  /** Security labels (meta.security), for the release policy. */
  security?: readonly Coding[];
}

export type AppointmentSpec =
  | (Common & { status: 'booked' | 'fulfilled' | 'noshow'; start: Date; minutes: number })
  | (Common & { status: 'cancelled'; start: Date; minutes: number; cancelledBy: 'pat' | 'prov'; cancelReason: string })
  | (Common & { status: 'proposed'; requested: { start: Date; end: Date } });

function concept(system: string, code: string, display: string): CodeableConcept {
  return { coding: [{ system, code, display }], text: display };
}

export function appointment(rec: PatientRecord, spec: AppointmentSpec): Appointment {
  const proposed = spec.status === 'proposed';
  const participant: AppointmentParticipant[] = [
    { actor: { ...rec.patient }, required: 'required', status: 'accepted' },
    {
      actor: { reference: `Practitioner/${spec.practitioner.id}`, display: spec.practitioner.display },
      required: 'required',
      status: proposed ? 'needs-action' : spec.status === 'cancelled' ? 'declined' : 'accepted',
    },
  ];
  if (spec.location) {
    participant.push({
      actor: { reference: `Location/${spec.location.id}`, display: spec.location.display },
      required: 'required',
      status: proposed ? 'needs-action' : 'accepted',
    });
  }
  const base: Appointment = {
    resourceType: 'Appointment',
    id: rec.nextId('appt'),
    ...securityMeta(spec.security),
    ...(spec.telehealthUrl ? { extension: [{ url: SYSTEMS.telehealthUrl, valueUrl: spec.telehealthUrl }] } : {}),
    status: spec.status,
    serviceType: [{ text: spec.service }],
    appointmentType: concept(SYSTEMS.appointmentType, spec.kind, KIND_DISPLAY[spec.kind]),
    reasonCode: [{ text: spec.reason }],
    description: spec.description,
    created: instant(spec.created),
    ...(spec.comment ? { comment: spec.comment } : {}),
    ...(spec.patientInstruction ? { patientInstruction: spec.patientInstruction } : {}),
    participant,
  };
  if (spec.status === 'proposed') {
    base.requestedPeriod = [{ start: instant(spec.requested.start), end: instant(spec.requested.end) }];
  } else {
    base.start = instant(spec.start);
    base.end = instant(shift(spec.start, { minutes: spec.minutes }));
    base.minutesDuration = spec.minutes;
    if (spec.status === 'cancelled') {
      const display = spec.cancelledBy === 'pat' ? 'Patient' : 'Provider';
      base.cancelationReason = { ...concept(SYSTEMS.cancelReason, spec.cancelledBy, display), text: spec.cancelReason };
    }
  }
  return rec.add(base, spec.landmark);
}
