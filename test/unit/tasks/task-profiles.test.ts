import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { Profile, TaskDefinition } from '@switchyard/contracts';
import { TaskCatalog, TaskRegistrationError, createTaskCatalog } from '@switchyard/tasks';

function probeTask(profile: Profile, profiles?: readonly Profile[]): TaskDefinition<object, number> {
  return {
    name: 'probe.task',
    description: 'test task',
    profile,
    ...(profiles ? { profiles } : {}),
    payloadSchema: z.object({}),
    resultSchema: z.number(),
    example: {},
    defaultTimeoutMs: 1_000,
    handler: async () => 1,
  };
}

describe('task profiles', () => {
  const catalog = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: true });

  it('lets io tasks run on either lane and cpu tasks on the cpu lane only', () => {
    const expected: Record<string, Profile[]> = {
      'io.sleep': ['io', 'cpu'],
      'io.http': ['io', 'cpu'],
      'cpu.primes': ['cpu'],
      'cpu.hash': ['cpu'],
      'cpu.mandelbrot': ['cpu'],
      'cpu.matmul': ['cpu'],
      'diag.crash': ['cpu'],
      'diag.spin': ['cpu'],
    };
    assert.deepEqual(catalog.names(), Object.keys(expected).sort());
    for (const [name, profiles] of Object.entries(expected)) {
      assert.deepEqual(catalog.profilesOf(name), profiles, name);
      assert.deepEqual(catalog.describe(name).profiles, profiles, name);
      assert.equal(catalog.allowsProfile(name, 'io'), profiles.includes('io'), name);
      assert.equal(catalog.allowsProfile(name, 'cpu'), true, name);
    }
  });

  it('answers false for an unknown task instead of throwing', () => {
    assert.equal(catalog.allowsProfile('cpu.fibonacci', 'cpu'), false);
  });

  it('defaults a task without profiles to its default profile alone', () => {
    const probes = new TaskCatalog().register(probeTask('io'));
    assert.deepEqual(probes.profilesOf('probe.task'), ['io']);
    assert.equal(probes.allowsProfile('probe.task', 'cpu'), false);
  });

  it('refuses a task whose default profile is not among its profiles, or that names an unknown one', () => {
    assert.throws(
      () => new TaskCatalog().register(probeTask('io', ['cpu'])),
      (error: unknown) =>
        error instanceof TaskRegistrationError &&
        /"probe\.task" has default profile "io" outside its profiles \[cpu\]/.test(error.message),
    );
    assert.throws(
      () => new TaskCatalog().register(probeTask('cpu', ['cpu', 'gpu' as Profile])),
      /"probe\.task" declares unknown profiles \[gpu\]/,
    );
  });
});
