import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';

// React evaluates first, the app's modules (store, worker clients, the shown tab) in a task of their own: evaluating the
// whole bundle at once was the page's first long task (~100 ms on the 2-core machine, issue 16 item 4).
const root = createRoot(document.getElementById('root')!);
void import('./App.tsx').then(({ App }) => root.render(
  <StrictMode>
    <App />
  </StrictMode>,
));
