/**
 * Decides a patient's reports, observations and documents together so that held content cannot
 * leak through a related resource (RELEASE-POLICY.md, last guardrail): resources linked by a
 * reference (report → result, panel → member, document → the report it carries) or by a shared
 * identifier form a group, and every member of a group that holds anything back takes the
 * group's most restrictive decision. A visible report therefore never points at (or carries in
 * its presentedForm) a result the viewer may not see. A clinician's release or hold of a report
 * also counts for its results and for the documents that carry it.
 */
import type { DiagnosticReport, DocumentReference, Observation } from 'fhir/r4.js';
import { decide, failClosed, RANK } from './decide.js';
import { parseInstant } from './facts.js';
import type { RuleSet } from './load-rules.js';
import { CATEGORIES } from './rule-schema.js';
import type { ClinicianAction, Decision, PolicyContext } from './types.js';
import { FHIR_ID } from '../fhir/fhir-id.js';

export interface ResultSet {
  reports: DiagnosticReport[];
  observations: Observation[];
  documents: DocumentReference[];
}

/** What the viewer may learn about a held item: that it exists, when, and until when. Never its
 *  code, name, value or title. */
export interface PendingItem {
  ref: string;
  kind: 'result' | 'document';
  issued?: string;
  releaseAt?: string;
  explanation: string;
  category?: string;
}

export interface PolicyOutcome {
  visible: ResultSet;
  pending: PendingItem[];
  /** Keyed 'Type/id' ('Type/#index' for a resource without a readable id). */
  decisions: Map<string, Decision>;
}

type Kind = 'DiagnosticReport' | 'Observation' | 'DocumentReference';

interface Node {
  key: string;
  kind: Kind;
  resource: unknown;
  parents: number[];
  own?: Decision;
}

const REF = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;
const SAFE_CATEGORIES = new Set<string>(CATEGORIES);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function refsIn(values: unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const r = str(obj(v)?.['reference']);
    if (r) out.push(r);
  }
  return out;
}

/** Later-ending restriction wins a tie, as in decide(). */
function stricter(a: Decision, b: Decision): boolean {
  const ra = a.visible ? RANK[a.action] : RANK[a.action] + 10;
  const rb = b.visible ? RANK[b.action] : RANK[b.action] + 10;
  if (ra !== rb) return ra > rb;
  return (a.releaseAt?.getTime() ?? Infinity) > (b.releaseAt?.getTime() ?? Infinity);
}

export function applyPolicy(resources: ResultSet, ctx: PolicyContext, rules: RuleSet): PolicyOutcome {
  const nodes: Node[] = [];
  const byRef = new Map<string, number[]>();
  const byId = new Map<string, number[]>();
  const add = <K, V>(m: Map<K, V[]>, k: K, v: V) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };

  const lists: [Kind, unknown[]][] = [
    ['DiagnosticReport', arr(resources?.reports)],
    ['Observation', arr(resources?.observations)],
    ['DocumentReference', arr(resources?.documents)],
  ];
  for (const [kind, list] of lists) {
    list.forEach((resource, i) => {
      const r = obj(resource);
      const id = str(r?.['id']);
      const key = id && FHIR_ID.test(id) && r?.['resourceType'] === kind ? `${kind}/${id}` : `${kind}/#${i}`;
      const n = nodes.push({ key, kind, resource, parents: [] }) - 1;
      add(byRef, key, n);
      if (id) add(byId, id, n);
    });
  }

  // Union-find over every link between the resources we hold.
  const up = nodes.map((_, i) => i);
  const find = (i: number): number => {
    while (up[i] !== i) i = up[i] = up[up[i]!]!;
    return i;
  };
  const union = (a: number, b: number) => {
    up[find(a)] = find(b);
  };
  const resolve = (reference: string): number[] => {
    if (reference.startsWith('urn:uuid:')) return byId.get(reference.slice(9)) ?? [];
    const m = REF.exec(reference);
    return m ? (byRef.get(`${m[1]}/${m[2]}`) ?? []) : [];
  };
  /** child is part of (or carries) parent: linked both ways, and inherits the parent's clinician actions. */
  const link = (parent: number, references: string[]) => {
    for (const ref of references) {
      for (const child of resolve(ref)) {
        if (child === parent) continue;
        union(parent, child);
        nodes[child]!.parents.push(parent);
      }
    }
  };
  const byIdentifier = new Map<string, number[]>();
  nodes.forEach((node, n) => {
    const r = obj(node.resource);
    if (!r) return;
    if (node.kind === 'DiagnosticReport') link(n, refsIn(arr(r['result'])));
    if (node.kind === 'Observation') link(n, [...refsIn(arr(r['hasMember'])), ...refsIn(arr(r['derivedFrom']))]);
    if (node.kind === 'DocumentReference') {
      // The document carries what it refers to: it takes that resource's clinician actions.
      const carried = [...refsIn(arr(obj(r['context'])?.['related'])), ...refsIn(arr(r['relatesTo']).map((x) => obj(x)?.['target']))];
      for (const ref of carried) {
        for (const target of resolve(ref)) {
          if (target === n) continue;
          union(n, target);
          node.parents.push(target);
        }
      }
    }
    const identifiers = [...arr(r['identifier']), ...(node.kind === 'DocumentReference' ? [r['masterIdentifier']] : [])];
    for (const ident of identifiers) {
      const o = obj(ident);
      const value = str(o?.['value']);
      if (value) add(byIdentifier, `${str(o?.['system']) ?? ''}|${value}`, n);
    }
  });
  for (const group of byIdentifier.values()) {
    for (let i = 1; i < group.length; i++) {
      union(group[0]!, group[i]!);
      const a = nodes[group[0]!]!;
      const b = nodes[group[i]!]!;
      if (b.kind === 'DocumentReference' && a.kind !== 'DocumentReference') b.parents.push(group[0]!);
      if (a.kind === 'DocumentReference' && b.kind !== 'DocumentReference') a.parents.push(group[i]!);
    }
  }

  const actionsByRef = new Map<string, ClinicianAction[]>();
  for (const a of ctx?.clinicianActions ?? []) add(actionsByRef, a.resourceRef, a);

  const locale = ctx?.locale === 'es' ? 'es' : 'en';
  nodes.forEach((node) => {
    if (obj(node.resource)?.['resourceType'] !== node.kind || node.key.includes('#')) {
      node.own = failClosed(locale, node.kind === 'DocumentReference' ? 'document' : 'result');
      return;
    }
    const inherited: ClinicianAction[] = [];
    const seen = new Set<number>();
    const queue = [...node.parents];
    while (queue.length > 0) {
      const p = queue.pop()!;
      if (seen.has(p)) continue;
      seen.add(p);
      for (const a of actionsByRef.get(nodes[p]!.key) ?? []) inherited.push({ ...a, resourceRef: node.key });
      queue.push(...nodes[p]!.parents);
    }
    const c = inherited.length > 0 ? { ...ctx, clinicianActions: [...(ctx.clinicianActions ?? []), ...inherited] } : ctx;
    node.own = decide(node.resource, c, rules);
  });

  const strictest = new Map<number, number>();
  nodes.forEach((node, n) => {
    const root = find(n);
    const cur = strictest.get(root);
    if (cur === undefined || stricter(node.own!, nodes[cur]!.own!)) strictest.set(root, n);
  });

  const decisions = new Map<string, Decision>();
  const visible: ResultSet = { reports: [], observations: [], documents: [] };
  const pending: PendingItem[] = [];
  nodes.forEach((node, n) => {
    const w = strictest.get(find(n))!;
    const winner = nodes[w]!.own!;
    const d = w === n || winner.visible ? node.own! : { ...winner, inheritedFrom: nodes[w]!.key };
    const prior = decisions.get(node.key);
    decisions.set(node.key, prior && stricter(prior, d) ? prior : d);
  });
  nodes.forEach((node) => {
    const d = decisions.get(node.key)!;
    if (d.visible) {
      if (node.kind === 'DiagnosticReport') visible.reports.push(node.resource as DiagnosticReport);
      else if (node.kind === 'Observation') visible.observations.push(node.resource as Observation);
      else visible.documents.push(node.resource as DocumentReference);
      return;
    }
    // 'absent' is never listed: a proxy must not learn that a hidden item exists. A held result
    // inside a held report is represented by the report.
    if (d.presence !== 'pending') return;
    if (node.kind === 'Observation' && node.parents.some((p) => nodes[p]!.kind === 'DiagnosticReport')) return;
    pending.push(pendingItem(node, d));
  });
  return { visible, pending, decisions };
}

function pendingItem(node: Node, d: Decision): PendingItem {
  const r = obj(node.resource);
  const item: PendingItem = {
    ref: node.key,
    kind: node.kind === 'DocumentReference' ? 'document' : 'result',
    explanation: d.explanation,
  };
  const issuedRaw = r?.[node.kind === 'DocumentReference' ? 'date' : 'issued'];
  if (parseInstant(issuedRaw) !== null) item.issued = issuedRaw as string;
  if (d.releaseAt) item.releaseAt = d.releaseAt.toISOString();
  // Only a code from the fixed category vocabularies, never free text.
  for (const cat of arr(r?.['category'])) {
    for (const coding of arr(obj(cat)?.['coding'])) {
      const code = str(obj(coding)?.['code']);
      if (code && SAFE_CATEGORIES.has(code) && item.category === undefined) item.category = code;
    }
  }
  return item;
}
