import { lazy, startTransition, Suspense, useEffect, useState, type ReactNode } from 'react';
// What the page does from its start, whichever tab is shown (the panels below load later): the workers and the
// shipped teacher's load, the run history, the opened recipe link, crash / reload resume.
import './app/models.ts';
import './app/historyPage.ts';
import './app/recipeUrlPage.ts';
import './app/resume.ts';
import { BackendBadge } from './components/BackendBadge.tsx';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { ResumeBanner } from './components/ResumeBanner.tsx';
import { RunControls } from './components/RunControls.tsx';
import { RunPanel } from './components/RunPanel.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { actions, useWorkbench } from './store/index.ts';

// The other tabs' code is split off (issue 16 item 5: less script to evaluate before the first loss point) and
// mounted after the shown tab, one per idle moment (no long task), then kept mounted.
const TokenizerPanel = lazy(() => import('./components/tokenizer/TokenizerPanel.tsx').then((m) => ({ default: m.TokenizerPanel })));
const ModelsPanel = lazy(() => import('./components/model/ModelsPanel.tsx').then((m) => ({ default: m.ModelsPanel })));
const DistillPanel = lazy(() => import('./components/distill/DistillPanel.tsx').then((m) => ({ default: m.DistillPanel })));
const AlignmentPanel = lazy(() => import('./components/alignment/AlignmentPanel.tsx').then((m) => ({ default: m.AlignmentPanel })));
const HistoryPanel = lazy(() => import('./components/history/HistoryPanel.tsx').then((m) => ({ default: m.HistoryPanel })));

const TABS = { train: 'Train MLM', tokenizers: 'Tokenizers', models: 'Models', distill: 'Distill', alignment: 'Alignment', history: 'History' } as const;
type Tab = keyof typeof TABS;

// ?tab= opens a tab; the tab lives in the store so that one tab can open another (the Alignment tab's links).
const urlTab = new URLSearchParams(globalThis.location?.search ?? '').get('tab');
if (urlTab && urlTab in TABS) actions.setTab(urlTab);

const idle = (f: () => void): (() => void) => {
  if (typeof requestIdleCallback === 'function') { const h = requestIdleCallback(f, { timeout: 1000 }); return () => cancelIdleCallback(h); }
  const h = setTimeout(f, 50);
  return () => clearTimeout(h);
};

/** The tabs mounted so far: the shown one at once, the others one per idle callback after it. */
function useMountedTabs(tab: Tab): Set<Tab> {
  const [mounted, setMounted] = useState<Set<Tab>>(() => new Set([tab]));
  if (!mounted.has(tab)) setMounted(new Set([...mounted, tab])); // a tab opened before its turn (state adjusted while rendering)
  const next = (Object.keys(TABS) as Tab[]).find((t) => !mounted.has(t));
  // In a transition: React renders the panel in slices that yield to the page (no long task for a whole tab's mount).
  useEffect(() => (next ? idle(() => startTransition(() => setMounted((m) => new Set([...m, next])))) : undefined), [next]);
  return mounted;
}

/** A tab's box: its panel once mounted (lazy code behind Suspense), hidden unless shown. */
function TabBox({ id, tab, mounted, children }: { id: Tab; tab: Tab; mounted: Set<Tab>; children: ReactNode }) {
  return <div hidden={tab !== id}>{mounted.has(id) && <Suspense fallback={null}>{children}</Suspense>}</div>;
}

export function App() {
  const tab = useWorkbench((s) => s.tab) as Tab;
  const setTab = actions.setTab;
  const mounted = useMountedTabs(tab);
  return (
    <main>
      <header>
        <h1>VocabKD Workbench</h1>
        <BackendBadge />
      </header>
      <ErrorBanner />
      <ResumeBanner />
      <nav className="tabs" role="tablist">
        {(Object.keys(TABS) as Tab[]).map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} data-testid={`tab-${t}`} onClick={() => setTab(t)}>{TABS[t]}</button>
        ))}
      </nav>
      {/* All stay mounted once mounted (forms keep their values, a run keeps plotting); only the active one is shown. */}
      <div hidden={tab !== 'train'}>
        <ErrorBoundary name="training">
          <RunControls />
          <RunPanel />
        </ErrorBoundary>
      </div>
      <TabBox id="tokenizers" tab={tab} mounted={mounted}><ErrorBoundary name="tokenizer"><TokenizerPanel /></ErrorBoundary></TabBox>
      <TabBox id="models" tab={tab} mounted={mounted}><ErrorBoundary name="models"><ModelsPanel /></ErrorBoundary></TabBox>
      <TabBox id="distill" tab={tab} mounted={mounted}><ErrorBoundary name="distill"><DistillPanel /></ErrorBoundary></TabBox>
      <TabBox id="alignment" tab={tab} mounted={mounted}><ErrorBoundary name="alignment"><AlignmentPanel active={tab === 'alignment'} /></ErrorBoundary></TabBox>
      <TabBox id="history" tab={tab} mounted={mounted}><ErrorBoundary name="history"><HistoryPanel active={tab === 'history'} /></ErrorBoundary></TabBox>
    </main>
  );
}
