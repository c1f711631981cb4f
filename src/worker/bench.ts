/**
 * Where the worker reads a distillation's benchmark tasks (issue 13 item 5): the page resolved every name of
 * recipe.benchmarks.tasks to an embedded task's URL or to the files the user gave it (app/tasks.ts). The scoring
 * itself is the engine's (src/eval/runBench.ts); the teacher's scores are kept per loaded teacher model.
 */
import type { MlmModel } from '../models/mlm.ts';
import { TaskError } from '../eval/tasks.ts';
import type { TaskLocator } from '../eval/runBench.ts';
import type { TaskSource } from './protocol.ts';

/** One cache of teacher scores per loaded teacher model: a new teacher starts empty. */
const teacherCaches = new WeakMap<MlmModel, Map<string, unknown>>();

export function teacherCache(teacher: MlmModel): Map<string, unknown> {
  let cache = teacherCaches.get(teacher);
  if (!cache) teacherCaches.set(teacher, (cache = new Map()));
  return cache;
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.text();
}

/** A name the page did not resolve is a TaskError naming it. */
export function taskLocator(sources: readonly TaskSource[]): TaskLocator {
  return (id: string) => {
    const s = sources.find((x) => x.id === id);
    if (!s) throw new TaskError(`benchmarks.tasks: "${id}" is neither an embedded task nor a task file given to the page`);
    if (s.kind === 'url') return { file: s.file, read: (path: string) => fetchText(path) };
    return {
      file: s.file,
      read: (path: string) => {
        if (!(path in s.files)) throw new Error(`the task's files do not include ${path} (given: ${Object.keys(s.files).join(', ')})`);
        return s.files[path];
      },
    };
  };
}
