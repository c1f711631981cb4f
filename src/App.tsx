import { BackendBadge } from './components/BackendBadge.tsx';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { ResumeBanner } from './components/ResumeBanner.tsx';
import { RunControls } from './components/RunControls.tsx';
import { RunPanel } from './components/RunPanel.tsx';
import { TokenizerPanel } from './components/tokenizer/TokenizerPanel.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { ModelsPanel } from './components/model/ModelsPanel.tsx';
import { DistillPanel } from './components/distill/DistillPanel.tsx';
import { AlignmentPanel } from './components/alignment/AlignmentPanel.tsx';
import { HistoryPanel } from './components/history/HistoryPanel.tsx';
import { actions, useWorkbench } from './store/index.ts';

const TABS = { train: 'Train MLM', tokenizers: 'Tokenizers', models: 'Models', distill: 'Distill', alignment: 'Alignment', history: 'History' } as const;
type Tab = keyof typeof TABS;

// ?tab= opens a tab; the tab lives in the store so that one tab can open another (the Alignment tab's links).
const urlTab = new URLSearchParams(globalThis.location?.search ?? '').get('tab');
if (urlTab && urlTab in TABS) actions.setTab(urlTab);

export function App() {
  const tab = useWorkbench((s) => s.tab) as Tab;
  const setTab = actions.setTab;
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
      {/* All stay mounted (forms keep their values, a run keeps plotting); only the active one is shown. */}
      <div hidden={tab !== 'train'}>
        <ErrorBoundary name="training">
          <RunControls />
          <RunPanel />
        </ErrorBoundary>
      </div>
      <div hidden={tab !== 'tokenizers'}>
        <ErrorBoundary name="tokenizer">
          <TokenizerPanel />
        </ErrorBoundary>
      </div>
      <div hidden={tab !== 'models'}>
        <ErrorBoundary name="models">
          <ModelsPanel />
        </ErrorBoundary>
      </div>
      <div hidden={tab !== 'distill'}>
        <ErrorBoundary name="distill">
          <DistillPanel />
        </ErrorBoundary>
      </div>
      <div hidden={tab !== 'alignment'}>
        <ErrorBoundary name="alignment">
          <AlignmentPanel active={tab === 'alignment'} />
        </ErrorBoundary>
      </div>
      <div hidden={tab !== 'history'}>
        <ErrorBoundary name="history">
          <HistoryPanel active={tab === 'history'} />
        </ErrorBoundary>
      </div>
    </main>
  );
}
