/**
 * Evaluation engine (issue 13): pure functions over an MlmModel + Tokenizer, host-neutral (worker, CLI, tests).
 *
 * Intrinsic (intrinsic.ts) — plan once, score every model on the same plan, compare:
 *   const plan = planIntrinsic(heldoutTexts(corpusText), { seed, maskings, maxTexts });
 *   const t = await scoreIntrinsic(teacher, teacherTok, plan, { timeLimitMs, onProgress, shouldStop });  // once
 *   const s = await scoreIntrinsic(student, studentTok, plan, …);                                       // per point
 *   const { agreement, coverage, pll } = compareIntrinsic(t, s);
 * Downstream (tasks.ts, probe.ts) — parse once, encode once per tokenizer, score per evaluation point:
 *   const spec = parseTaskFile(json);  const data = await loadTask(spec, taskUrl, fetchText);
 *   const prepared = prepareTask(tokenizer, model.config, data, { maxTrain, maxTest });
 *   const result = await scoreTask(model, prepared, { probe: 'linear', seed, onProgress, shouldStop });
 * Live (live.ts) — a run's evaluation points: `createLiveBench({spec, tasks, heldout, teacher, cache})`, then
 *   `reference()` (the teacher, once) and `point(step, student, tokenizer, {runMs, final})` under the share cap.
 * Every tensor op is in tf.tidy; results are read with await data(); `shouldStop` → EvalStoppedError.
 */
export { heldoutTexts, planIntrinsic, scoreIntrinsic, compareIntrinsic, intrinsicRows, IntrinsicError, DEFAULT_PLAN } from './intrinsic.ts';
export type { IntrinsicPlan, PlanOptions, PlanSegment, IntrinsicOptions, IntrinsicScores, IntrinsicComparison, PllScores } from './intrinsic.ts';
export { validateTask, parseTaskFile, parseTaskSplit, loadTask, resolveTaskPath, splitLabels, splitUnits, taskColumns, taskFormatOf, TaskError, TASK_KINDS, TASK_FORMATS, CONLLU_COLUMNS, EMBEDDED_TASKS } from './tasks.ts';
export type { TaskSpec, TaskKind, TaskFormat, TaskData, TaskSplit, TokenExample, TextExample, EmbeddedTask } from './tasks.ts';
export { prepareTask, scoreTask, evaluateTask, cloneModel, IMBALANCE_WARN_SHARE, UNK_WARN_SHARE } from './probe.ts';
export type { PreparedTask, PrepareTaskOptions, ProbeOptions, ProbeKind, TaskResult } from './probe.ts';
export { encodeTask, extractFeatures, featureBatches, featureWidth, unitFeatures, EvalStoppedError, EvalTimeLimitError } from './features.ts';
export type { EncodedSplit, EncodedExample, WordPooling } from './features.ts';
export { classificationScores, majorityBaseline, labelCounts } from './metrics.ts';
export type { ClassificationScores, LabelScore, MajorityBaseline } from './metrics.ts';
export { createLiveBench, loadBenchTasks } from './live.ts';
export type { LiveBench, LiveBenchInput, BenchTask, BenchMetric, BenchReference, BenchPoint } from './live.ts';
