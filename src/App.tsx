import { BackendBadge } from './components/BackendBadge.tsx';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { RunControls } from './components/RunControls.tsx';
import { RunPanel } from './components/RunPanel.tsx';

export function App() {
  return (
    <main>
      <header>
        <h1>VocabKD Workbench</h1>
        <BackendBadge />
      </header>
      <ErrorBanner />
      <RunControls />
      <RunPanel />
    </main>
  );
}
