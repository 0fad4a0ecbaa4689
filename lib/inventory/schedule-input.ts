/**
 * Normalizers of what a cluster says about its maintenance window (lib/model/schedule.ts), for
 * the inventory file and the construct props alike: `timing` (cluster and node),
 * `callManagerGroups`, `imPresence.subclusters`. Each returns the declaration and the problems,
 * every one named by its path.
 */
import { CallManagerGroupDecl, ImpSubclusterDecl, TimingDecl, checkFqdn, shown } from '../model';
import { checkList, checkMapping, checkServiceName, isMapping, unknownKeys } from './input-checks';

export interface TimingInput {
  readonly restartSeconds?: { readonly [service: string]: number };
  readonly stepSeconds?: { readonly [kindOrStepId: string]: number };
  readonly manualSeconds?: number;
  readonly restartFactor?: number;
}

export interface MembersInput {
  readonly name: string;
  readonly members: readonly string[];
}

type Built<T> = { readonly value?: T; readonly problems: (string | undefined)[] };

const TIMING_KEYS = ['restartSeconds', 'stepSeconds', 'manualSeconds', 'restartFactor'];
const TIMING_EXAMPLE = "{ restartSeconds: { 'Cisco Tomcat': 600 }, manualSeconds: 600 }";

function checkSeconds(prop: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 7 * 24 * 3600) return undefined;
  return `${prop} must be a whole number of seconds from 0 to 604800 (a week), got ${shown(value)}`;
}

function secondsByName(raw: unknown, at: string, example: string, checkKey: (prop: string, key: string) => string | undefined): Built<Record<string, number>> {
  const problems: (string | undefined)[] = [checkMapping(at, raw, example)];
  if (!isMapping(raw)) return { problems };
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(raw)) {
    const prop = `${at}.${key}`;
    const p = [checkKey(prop, key), checkSeconds(prop, v)].filter(Boolean);
    problems.push(...p);
    if (p.length === 0) out[key] = v as number;
  }
  return { value: out, problems };
}

/** `timing` of a cluster or a node; absent gives no value. */
export function buildTiming(raw: unknown, at: string): Built<TimingDecl> {
  if (raw === undefined) return { problems: [] };
  const mapping = checkMapping(at, raw, TIMING_EXAMPLE);
  if (mapping) return { problems: [mapping] };
  const t = raw as Record<string, unknown>;
  const restarts = secondsByName(t.restartSeconds, `${at}.restartSeconds`, "{ 'Cisco Tomcat': 600 }", (prop, key) => checkServiceName(prop, key));
  const steps = secondsByName(t.stepSeconds, `${at}.stepSeconds`, "{ upload-identity: 180, 'tomcat/manual/drf-backup': 1800 }", (prop, key) =>
    /^[A-Za-z0-9][A-Za-z0-9._/@+-]*$/.test(key) ? undefined : `${prop}: a key is a step kind (upload-identity) or a step id (tomcat/manual/drf-backup), got ${shown(key)}`,
  );
  const factor = t.restartFactor;
  const problems = [
    ...unknownKeys(t, TIMING_KEYS, at),
    ...restarts.problems,
    ...steps.problems,
    checkSeconds(`${at}.manualSeconds`, t.manualSeconds),
    factor === undefined || (typeof factor === 'number' && Number.isFinite(factor) && factor > 0 && factor <= 100)
      ? undefined
      : `${at}.restartFactor must be a number above 0 (1.5: restarts take half as long again), got ${shown(factor)}`,
  ];
  return {
    value: {
      ...(t.restartSeconds !== undefined ? { restartSeconds: restarts.value } : {}),
      ...(t.stepSeconds !== undefined ? { stepSeconds: steps.value } : {}),
      ...(t.manualSeconds !== undefined ? { manualSeconds: t.manualSeconds as number } : {}),
      ...(factor !== undefined ? { restartFactor: factor as number } : {}),
    },
    problems,
  };
}

/** A list of `{ name, members: [FQDN…] }` (CallManager groups, IM&P subclusters); members lower-cased. */
function buildMemberLists(raw: unknown, at: string, example: string): Built<MembersInput[]> {
  if (raw === undefined) return { problems: [] };
  const list = checkList(at, raw, `mappings such as ${example}`);
  if (list) return { problems: [list] };
  const problems: (string | undefined)[] = [];
  const value: MembersInput[] = [];
  (raw as unknown[]).forEach((item, i) => {
    const here = `${at}[${i}]`;
    if (!isMapping(item)) {
      problems.push(`${here} must be a mapping such as ${example}, got ${shown(item)}`);
      return;
    }
    const p = [
      ...unknownKeys(item, ['name', 'members'], here),
      typeof item.name === 'string' && /^[^\u0000-\u001f\u007f]{1,100}$/.test(item.name) && item.name.trim() === item.name
        ? undefined
        : `${here}.name must be the group's name as CUCM shows it (1 to 100 characters, no line breaks), got ${shown(item.name)}`,
      Array.isArray(item.members) ? undefined : `${here}.members must be a list of node FQDNs, got ${shown(item.members)}`,
      ...(Array.isArray(item.members) ? item.members.map((m, j) => checkFqdn(`${here}.members[${j}]`, m)) : []),
    ].filter(Boolean);
    problems.push(...p);
    if (p.length === 0) value.push({ name: item.name as string, members: (item.members as string[]).map((m) => m.toLowerCase()) });
  });
  return { value, problems };
}

export function buildCallManagerGroups(raw: unknown, at: string): Built<CallManagerGroupDecl[]> {
  return buildMemberLists(raw, at, '{ name: G1, members: [cucm-sub1.example.com, cucm-sub2.example.com] }');
}

export function buildImpSubclusters(raw: unknown, at: string): Built<ImpSubclusterDecl[]> {
  return buildMemberLists(raw, at, '{ name: S1, members: [imp-pub.example.com, imp-sub1.example.com] }');
}
