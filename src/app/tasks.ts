/**
 * Benchmark tasks in the page (issue 13 items 2, 3, 5): the embedded ones (built at set-up in public/tasks/) and the
 * ones the user gives the Distill tab — either a task file with its two split files (the schema of the CLI and the
 * recipe), or two split files with the kind and columns chosen in the form. A given task is parsed once here, so a
 * missing column, an empty split or a malformed CoNLL-U line is a named TaskError before any run starts.
 */
import { EMBEDDED_TASKS, loadTask, parseTaskFile, splitUnits, taskColumns, taskFormatOf, TaskError, validateTask, type TaskFormat, type TaskKind, type TaskSpec } from '../eval/tasks.ts';
import { actions, useWorkbench, type UserTask } from '../store/index.ts';
import type { TaskSource } from '../worker/protocol.ts';
import { assetUrl } from './client.ts';


/** Where the worker reads each of a recipe's tasks: an embedded task's URL or a given task's files. */
export function taskSources(names: readonly string[]): TaskSource[] {
  const user = useWorkbench.getState().userTasks;
  return names.map((id): TaskSource => {
    const e = EMBEDDED_TASKS.find((t) => t.id === id);
    if (e) return { id, kind: 'url', file: assetUrl(e.path) };
    const u = user.find((t) => t.id === id);
    if (u) return { id, kind: 'files', file: u.file, files: u.files };
    throw new TaskError(`benchmarks.tasks: "${id}" is neither an embedded task (${EMBEDDED_TASKS.map((t) => t.id).join(', ')}) nor a task given to the page (add its files under "benchmarks")`);
  });
}

/** The format and the columns a split file offers. */
export async function fileColumns(file: File): Promise<{ format: TaskFormat; columns: string[] }> {
  const format = taskFormatOf(file.name);
  if (!format) throw new TaskError(`${file.name}: a task split must be .conllu, .csv, .tsv or .jsonl`);
  return { format, columns: taskColumns(format, await file.text(), file.name) };
}

/** Parses both splits once (every bad-input error named) and stores the task. */
async function addTask(spec: TaskSpec, file: string, files: Record<string, string>): Promise<UserTask> {
  const data = await loadTask(spec, file, (p) => {
    if (!(p in files)) throw new Error(`not among the files given (${Object.keys(files).filter((k) => k !== file).join(', ')})`);
    return files[p];
  });
  const unit = spec.kind === 'token' ? 'words' : 'examples';
  const cols = spec.format === 'conllu' ? `form → ${spec.label}` : `${[spec.text].flat().join(' + ')} → ${spec.label}`;
  const task: UserTask = {
    id: spec.name, spec, file, files,
    summary: `${spec.kind} · ${splitUnits(data.train).toLocaleString('en')} train / ${splitUnits(data.test).toLocaleString('en')} test ${unit} · ${cols}`,
  };
  if (EMBEDDED_TASKS.some((t) => t.id === task.id)) throw new TaskError(`task "${task.id}": an embedded task has that name; give the task another name`);
  actions.userTaskAdded(task);
  return task;
}

/** A task file (task.json) and its two split files, matched by name. */
export async function addTaskFile(files: File[]): Promise<UserTask> {
  const taskFile = files.find((f) => f.name.toLowerCase().endsWith('.json'));
  if (!taskFile) throw new TaskError('give a task file (.json) together with its train and test files');
  const spec = parseTaskFile(await taskFile.text(), taskFile.name);
  const contents: Record<string, string> = { [taskFile.name]: '' };
  for (const f of files) if (f !== taskFile) contents[f.name] = await f.text();
  for (const which of ['train', 'test'] as const) {
    const base = spec[which].split(/[\\/]/).pop()!;
    if (!(base in contents)) throw new TaskError(`task "${spec.name}": the ${which} split ${spec[which]} is not among the files given (${Object.keys(contents).join(', ')})`);
    if (base !== spec[which]) contents[spec[which]] = contents[base]; // the spec's relative path resolves to the same content
  }
  return addTask(spec, taskFile.name, contents);
}

export interface TaskForm {
  name: string;
  kind: TaskKind;
  train: File;
  test: File;
  /** One column (sequence) or two (pair); absent for CoNLL-U. */
  text?: string | [string, string];
  label: string;
}

/** Two split files with the kind and columns chosen in the form. */
export async function addTaskFromForm(f: TaskForm): Promise<UserTask> {
  const format = taskFormatOf(f.train.name);
  if (!format) throw new TaskError(`${f.train.name}: a task split must be .conllu, .csv, .tsv or .jsonl`);
  if (taskFormatOf(f.test.name) !== format) throw new TaskError(`the test split ${f.test.name} must have the train split's format (.${format})`);
  if (f.train.name === f.test.name) throw new TaskError('the train and test splits must be two different files');
  const spec = validateTask({
    name: f.name.trim(), kind: format === 'conllu' ? 'token' : f.kind, format, train: f.train.name, test: f.test.name,
    ...(format === 'conllu' ? {} : { text: f.text }), label: f.label,
  }, 'the task form');
  return addTask(spec, 'task.json', { 'task.json': '', [f.train.name]: await f.train.text(), [f.test.name]: await f.test.text() });
}
