import { packageOf, STAGES } from './job-stages';

/**
 * Reads a `.cpuprofile` (V8's format, as `node --cpu-prof` or the inspector write it) or a sampling
 * `.heapprofile` and says where the time or the bytes went: per function, per package, and per stage of a
 * job's path. The same code reads the "before" and the "after" profiles, so the comparison in
 * docs/performance.md can be reproduced.
 */

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface FunctionCost {
  functionName: string;
  pkg: string;
  /** `file:line` (the path from the package or dist folder on). */
  location: string;
  /** Self time in ms (CPU profile) or bytes (heap profile). */
  self: number;
}

function locationOf(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  const short = url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, '');
  return short ? `${short}:${frame.lineNumber + 1}` : '';
}

/** Where a quantity (ms of CPU, bytes allocated) went, by function, package and stage. */
export interface Attribution {
  total: number;
  functions: FunctionCost[];
  /** By the package of the function that took it (self). */
  byPackage: Map<string, number>;
  /** Each sample charged to the innermost stage of its stack (see `STAGES`). */
  byStage: Map<string, number>;
  /** With the named function anywhere on the stack (each sample once). */
  inclusive: Map<string, number>;
}

/**
 * Spreads `weight` (per node id: its self time or its bytes) over functions, packages and stages.
 * `(idle)` is left out: a thread waiting for work costs nothing.
 */
export function attribute(
  nodes: readonly ProfileNode[],
  weight: ReadonlyMap<number, number>,
  inclusiveNames: readonly string[] = [],
): Attribution {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const packages = new Map(nodes.map((node) => [node.id, packageOf(node.callFrame)]));
  const stack = (id: number) => {
    const frames: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node) break;
      frames.push(node);
    }
    return frames;
  };
  const stageOf = (frames: ProfileNode[]): string => {
    for (const node of frames) {
      const found = STAGES.find((stage) => stage.matches(packages.get(node.id) ?? '', node.callFrame));
      if (found) return found.name;
    }
    return 'Node internals: event loop, timers, promises, sockets';
  };

  const functions = new Map<string, FunctionCost>();
  const byPackage = new Map<string, number>();
  const byStage = new Map<string, number>();
  const inclusive = new Map<string, number>(inclusiveNames.map((name) => [name, 0]));
  const add = (map: Map<string, number>, key: string, amount: number) =>
    map.set(key, (map.get(key) ?? 0) + amount);
  let total = 0;
  for (const [id, amount] of weight) {
    const node = byId.get(id);
    const pkg = packages.get(id) ?? '';
    if (!node || pkg === '(idle)' || amount === 0) continue;
    total += amount;
    const location = locationOf(node.callFrame);
    const key = `${node.callFrame.functionName}@${location}`;
    const entry = functions.get(key) ?? {
      functionName: node.callFrame.functionName || '(anonymous)',
      pkg,
      location,
      self: 0,
    };
    entry.self += amount;
    functions.set(key, entry);
    add(byPackage, pkg, amount);
    const frames = stack(id);
    add(byStage, stageOf(frames), amount);
    const names = new Set(frames.map((frame) => frame.callFrame.functionName));
    for (const name of inclusiveNames) if (names.has(name)) add(inclusive, name, amount);
  }
  return {
    total,
    functions: [...functions.values()].sort((a, b) => b.self - a.self),
    byPackage,
    byStage,
    inclusive,
  };
}

/**
 * The call paths that lead to `functionName`, heaviest first: each path is the function's callers, nearest
 * first, `depth` deep, with the weight (self time or bytes) spent in the function under that path.
 */
export function callersOf(
  nodes: readonly ProfileNode[],
  weight: ReadonlyMap<number, number>,
  functionName: string,
  depth = 6,
): { path: string[]; amount: number }[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const paths = new Map<string, { path: string[]; amount: number }>();
  for (const [id, amount] of weight) {
    if (byId.get(id)?.callFrame.functionName !== functionName || amount === 0) continue;
    const path: string[] = [];
    for (let at = parent.get(id); at !== undefined && path.length < depth; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame || frame.functionName === '(root)') break;
      path.push(`${frame.functionName || '(anonymous)'} (${packageOf(frame)})`);
    }
    const key = path.join(' ← ');
    const entry = paths.get(key) ?? { path, amount: 0 };
    entry.amount += amount;
    paths.set(key, entry);
  }
  return [...paths.values()].sort((a, b) => b.amount - a.amount);
}

/** Self time per node id of a CPU profile, in ms (a sample lasts until the next; the last gets the mean). */
export function selfTimes(profile: CpuProfile): Map<number, number> {
  const wallUs = profile.endTime - profile.startTime;
  const self = new Map<number, number>();
  for (const [index, id] of profile.samples.entries()) {
    const ms = (profile.timeDeltas[index + 1] ?? wallUs / profile.samples.length) / 1000;
    self.set(id, (self.get(id) ?? 0) + ms);
  }
  return self;
}

/** Bytes per node id of a heap profile, and its nodes flattened. */
export function heapNodes(profile: HeapProfile): { nodes: ProfileNode[]; bytes: Map<number, number> } {
  const nodes: ProfileNode[] = [];
  const bytes = new Map<number, number>();
  const visit = (node: HeapNode) => {
    nodes.push({ id: node.id, callFrame: node.callFrame, children: node.children.map((child) => child.id) });
    bytes.set(node.id, node.selfSize);
    node.children.forEach(visit);
  };
  visit(profile.head);
  return { nodes, bytes };
}

/** CPU time (ms) by function, package and stage; `wallMs` is the window the profile covers. */
export function summarizeCpuProfile(
  profile: CpuProfile,
  inclusiveNames: readonly string[] = [],
): Attribution & { wallMs: number } {
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  return { ...attribute(profile.nodes, selfTimes(profile), inclusiveNames), wallMs };
}

interface HeapNode {
  id: number;
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

/** A sampling heap profile (`.heapprofile`), as the inspector's HeapProfiler writes it. */
export interface HeapProfile {
  head: HeapNode;
}

/** Bytes allocated by function, package and stage (sampled; collected objects included when recorded so). */
export function summarizeHeapProfile(
  profile: HeapProfile,
  inclusiveNames: readonly string[] = [],
): Attribution {
  const { nodes, bytes } = heapNodes(profile);
  return attribute(nodes, bytes, inclusiveNames);
}
