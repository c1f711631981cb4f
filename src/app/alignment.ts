/**
 * The Alignment tab's actions (issue 12 items 1–2): open the tab from another one with the current teacher and
 * student, build the pair in the alignment worker, align the text (debounced; only the latest text counts), sample a
 * text from the corpus, corpus statistics for the vocabulary map, and the GLMD columns (the loaded teacher's
 * embeddings from the training worker, the kept set and replacements computed in the alignment worker).
 *
 * Where the map's tokenizers come from:
 * - teacher: the loaded teacher's tokenizer ('loaded'), else the Tokenizers tab's teacher ('tokenizers-tab': its
 *   imported teacher, else its whole trained vocabulary), or a file dropped on the Alignment tab;
 * - student: the Tokenizers tab's student (its vocabulary cut to the student size), else the latest distilled
 *   student (its tokenizer.json through the student export), or a file dropped on the Alignment tab.
 */
import { createAlignmentClient } from '../worker/alignmentClient.ts';
import { trainerClient, embeddedSource } from './client.ts';
import { studentTokenizerJson } from './tokenizers.ts';
import { actions, useWorkbench, type WorkbenchState } from '../store/index.ts';
import type { StudentSource, TeacherSource } from '../store/alignment.ts';
import { EMBEDDED_CORPORA } from '../data/corpus.ts';
import { DRAW_LIMIT } from '../alignment/mapView.ts';
import type { CorpusSource, FromAlignmentWorker, TokenizerText } from '../worker/protocol.ts';
import { int } from './format.ts';

const message = (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`;
const state = () => useWorkbench.getState();

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}`;
const samples = new Map<string, { resolve(text: string): void; reject(e: Error): void }>();

function onMessage(m: FromAlignmentWorker): void {
  if (m.type === 'align-sample-result' || (m.type === 'align-error' && m.requestId && samples.has(m.requestId))) {
    const p = samples.get(m.requestId!);
    samples.delete(m.requestId!);
    if (m.type === 'align-sample-result') p?.resolve(m.text);
    else p?.reject(Object.assign(new Error(m.message), { name: m.code }));
    return;
  }
  actions.alignmentMessage(m);
  if (m.type === 'align-pair-ready' && m.pairId === state().alignment.pair?.pairId) {
    alignText();
    requestCorpusStats();
  }
  if (m.type === 'align-glmd-result' && m.pairId === state().alignment.pair?.pairId) alignText();
}

const client = createAlignmentClient(onMessage, (msg) => actions.alignmentCrashed(msg));

/** The corpus of the vocabulary map and of "sample from the corpus". */
export function alignmentCorpus(s: WorkbenchState = state()): CorpusSource {
  const a = s.alignment;
  if (a.corpusId === 'file' && a.corpusFile) return { kind: 'file', file: a.corpusFile };
  return embeddedSource(EMBEDDED_CORPORA.find((c) => c.id === a.corpusId) ?? EMBEDDED_CORPORA[0]);
}

/** The teacher tokenizer a source names, or why there is none. */
export function teacherOf(s: WorkbenchState, source: TeacherSource): TokenizerText | string {
  if (source === 'loaded') {
    return s.models.teacherTokenizerJson ? { name: `the loaded teacher, ${s.models.teacher?.name ?? 'model'}`, text: s.models.teacherTokenizerJson }
      : s.models.status === 'loading' ? `the teacher is still loading (${s.models.loading ?? 'Models tab'}): wait for it, or choose the Tokenizers tab's teacher or a tokenizer file`
      : 'no teacher is loaded (Models tab): choose the Tokenizers tab\'s teacher or a tokenizer file';
  }
  if (source === 'tokenizers-tab') {
    const t = s.tokenizers;
    if (t.teacher) return { name: t.teacher.name, text: t.teacher.json };
    if (t.vocabulary) return { name: `the Tokenizers tab's vocabulary (${t.vocabulary.name})`, text: t.vocabulary.json };
    return 'the Tokenizers tab has no teacher: import a teacher tokenizer or train a vocabulary there';
  }
  return s.alignment.teacherFile ?? 'choose a teacher tokenizer file (tokenizer.json or vocab.txt)';
}

/** The student tokenizer a source names, or why there is none. */
export function studentOf(s: WorkbenchState, source: StudentSource): TokenizerText | string {
  if (source === 'tokenizers-tab') {
    const json = studentTokenizerJson(s.tokenizers);
    return json ? { name: `the Tokenizers tab's student (${int((s.tokenizers.studentSize ?? 0))} entries)`, text: json }
      : 'the Tokenizers tab has no student vocabulary: train or import one there';
  }
  if (source === 'distilled') return s.alignment.distilled ?? 'no distilled student yet: finish (or stop) a distillation in the Distill tab';
  return s.alignment.studentFile ?? 'choose a student tokenizer file (tokenizer.json or vocab.txt)';
}

const finishedDistillation = (s: WorkbenchState) => s.runOrder.some((id) => s.runs[id]?.kind === 'distill' && !!s.runs[id]?.outcome);

/** The default sources when a tab opens the map: the brief's order (see the file comment). */
export function defaultSources(s: WorkbenchState, from: 'tokenizers' | 'distill' | 'tab'): { teacherSource: TeacherSource; studentSource: StudentSource } {
  // From the Tokenizers tab the teacher is the one that tab shows (its imported teacher first); elsewhere the loaded one.
  const teacherSource: TeacherSource = from === 'tokenizers' && s.tokenizers.teacher ? 'tokenizers-tab'
    : s.models.teacherTokenizerJson ? 'loaded' : 'tokenizers-tab';
  const studentSource: StudentSource = s.tokenizers.vocabulary ? 'tokenizers-tab' : finishedDistillation(s) ? 'distilled' : 'tokenizers-tab';
  return { teacherSource, studentSource };
}

/** Fetches the latest distilled student's tokenizer.json (through the student export). */
async function fetchDistilled(): Promise<void> {
  const r = await trainerClient.request({ type: 'model-export', what: 'student' });
  if (r.type !== 'model-files') return;
  const f = r.files.find((x) => x.name.endsWith('tokenizer.json'));
  if (!f) throw new Error('the exported student has no tokenizer.json');
  const s = state();
  const runId = [...s.runOrder].reverse().find((id) => s.runs[id]?.kind === 'distill' && s.runs[id]?.outcome) ?? 'the latest run';
  actions.setAlignmentSources({ distilled: { name: `the distilled student of ${runId} (tokenizer.json)`, text: new TextDecoder().decode(f.bytes), runId } });
}

/** The tokenizer texts of the current pair (to notice that a source changed while the tab was hidden). */
let lastSent: { teacher: string; student: string } | null = null;

/** Builds the pair from the chosen sources in the worker; the map, corpus statistics follow when it is ready. */
export async function buildPair(): Promise<void> {
  let s = state();
  if (s.alignment.studentSource === 'distilled' && !s.alignment.distilled && finishedDistillation(s)) {
    try {
      await fetchDistilled();
    } catch (e) {
      actions.setAlignmentError(message(e));
      return;
    }
    s = state();
  }
  const teacher = teacherOf(s, s.alignment.teacherSource), student = studentOf(s, s.alignment.studentSource);
  const pairId = nextId('pair');
  actions.alignmentPairStarted(pairId);
  lastSent = typeof teacher === 'string' || typeof student === 'string' ? null : { teacher: teacher.text, student: student.text };
  if (typeof teacher === 'string' || typeof student === 'string') {
    actions.setAlignmentError([teacher, student].filter((x): x is string => typeof x === 'string').join('; '));
    return;
  }
  client.send({ type: 'align-pair', pairId, teacher, student });
}

/** Switches to the Alignment tab with the current teacher and student (from: the tab whose link was clicked). */
export function openAlignment(from: 'tokenizers' | 'distill', text?: string): void {
  actions.setAlignmentSources(defaultSources(state(), from));
  if (text !== undefined && text.trim() !== '') actions.setAlignmentText(text);
  if (from === 'tokenizers') {
    // The vocabulary map counts on the corpus the tab's vocabulary was trained on, when it is an embedded one.
    const trainedOn = state().tokenizers.vocabulary?.trained?.stats.corpus;
    const c = EMBEDDED_CORPORA.find((x) => x.title === trainedOn);
    if (c) actions.setAlignmentCorpus(c.id, null);
  }
  actions.setTab('alignment');
  void buildPair();
}

/**
 * The tab is shown (by its tab button or a link): the first time with the default sources; later the pair is rebuilt
 * only when a source's tokenizer changed meanwhile (a new vocabulary on the Tokenizers tab, another teacher loaded), or
 * when a pair refused for want of one (the teacher was still loading) can now be built.
 */
export function ensurePair(): void {
  const s = state();
  if (!s.alignment.pair) {
    actions.setAlignmentSources(defaultSources(s, 'tab'));
    void buildPair();
    return;
  }
  if (s.alignment.pair.status === 'building' && lastSent !== null) return; // in flight (a refused pair sent nothing)
  const teacher = teacherOf(s, s.alignment.teacherSource), student = studentOf(s, s.alignment.studentSource);
  const now = typeof teacher === 'string' || typeof student === 'string' ? null : { teacher: teacher.text, student: student.text };
  if (now?.teacher !== lastSent?.teacher || now?.student !== lastSent?.student) void buildPair();
}

export function setSources(p: { teacherSource?: TeacherSource; studentSource?: StudentSource }): void {
  actions.setAlignmentSources(p);
  void buildPair();
}

/** A tokenizer file for one side: the worker parses it (a file that is not a tokenizer: its named error on the map). */
export async function importAlignmentTokenizer(file: File, side: 'teacher' | 'student'): Promise<void> {
  const text = await file.text();
  if (side === 'teacher') actions.setAlignmentSources({ teacherSource: 'file', teacherFile: { name: file.name, text } });
  else actions.setAlignmentSources({ studentSource: 'file', studentFile: { name: file.name, text } });
  void buildPair();
}

/** Aligns the current text with the current pair (only the latest request's reply is kept). */
export function alignText(): void {
  const a = state().alignment;
  if (a.pair?.status !== 'ready') return;
  const requestId = nextId('text');
  actions.alignmentTextStarted(requestId);
  client.send({ type: 'align-text', requestId, pairId: a.pair.pairId, text: a.text, limit: DRAW_LIMIT });
}

let debounce: ReturnType<typeof setTimeout> | null = null;
/** The text box: stored at once, aligned 150 ms after the last keystroke. */
export function setAlignmentText(text: string): void {
  actions.setAlignmentText(text);
  if (debounce) clearTimeout(debounce);
  debounce = setTimeout(() => { debounce = null; alignText(); }, 150);
}

export function setLens(lens: Parameters<typeof actions.setAlignmentLens>[0]): void {
  actions.setAlignmentLens(lens);
}

/** A random document of the corpus becomes the text. */
export async function sampleFromCorpus(seed = Math.floor(Math.random() * 2 ** 31)): Promise<void> {
  const requestId = nextId('sample');
  try {
    const text = await new Promise<string>((resolve, reject) => {
      samples.set(requestId, { resolve, reject });
      client.send({ type: 'align-sample', requestId, corpus: alignmentCorpus(), seed });
    });
    actions.setAlignmentText(text);
    alignText();
  } catch (e) {
    actions.setAlignmentError(message(e));
  }
}

/** Corpus counts, the loss ranking and the histogram for the vocabulary map. */
export function requestCorpusStats(): void {
  const a = state().alignment;
  if (a.pair?.status !== 'ready') return;
  const requestId = nextId('corpus');
  actions.alignmentCorpusStarted(requestId);
  client.send({ type: 'align-corpus', requestId, pairId: a.pair.pairId, corpus: alignmentCorpus() });
}

export function setCorpus(corpusId: string, file: File | null = null): void {
  actions.setAlignmentCorpus(corpusId, file);
  requestCorpusStats();
}

/** GLMD's default kept ratio r (recipe.ts). */
export const GLMD_RATIO = 0.5;

/**
 * The GLMD columns with r = 0.5, on demand: the loaded teacher's embeddings (training worker; a run in progress
 * makes this wait for it), then K, ranks and replacements in the alignment worker (≈ 7 s for the shipped teacher).
 */
export async function computeGlmd(): Promise<void> {
  const a = state().alignment;
  if (a.pair?.status !== 'ready') return;
  const pairId = a.pair.pairId;
  const requestId = nextId('glmd');
  actions.alignmentGlmdStarted(requestId, "reading the teacher's embeddings");
  try {
    const r = await trainerClient.request({ type: 'teacher-embeddings' });
    if (r.type !== 'teacher-embeddings-result') return;
    if (state().alignment.pair?.pairId !== pairId) return;
    const embeddings = new Float32Array(r.data);
    client.send({ type: 'align-glmd', requestId, pairId, corpus: alignmentCorpus(), embeddings, hidden: r.hidden, ratio: GLMD_RATIO }, [embeddings.buffer]);
  } catch (e) {
    actions.alignmentGlmdFailed(requestId, message(e));
  }
}
