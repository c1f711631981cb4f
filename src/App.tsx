import { useState } from 'react';
import { BackendBadge } from './components/BackendBadge.tsx';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { RunControls } from './components/RunControls.tsx';
import { RunPanel } from './components/RunPanel.tsx';
import { TokenizerPanel } from './components/tokenizer/TokenizerPanel.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { ModelsPanel } from './components/model/ModelsPanel.tsx';
import { DistillPanel } from './components/distill/DistillPanel.tsx';

const TABS = { train: 'Train MLM', tokenizers: 'Tokenizers', models: 'Models', distill: 'Distill' } as const;
type Tab = keyof typeof TABS;

export function App() {
  const [tab, setTab] = useState<Tab>(() => {
    const t = new URLSearchParams(location.search).get('tab');
    return t && t in TABS ? (t as Tab) : 'train';
  });
  return (
    <main>
      <header>
        <h1>VocabKD Workbench</h1>
        <BackendBadge />
      </header>
      <ErrorBanner />
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
    </main>
  );
}
