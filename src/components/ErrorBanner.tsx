import { actions, useWorkbench } from '../store/index.ts';

export function ErrorBanner() {
  const errors = useWorkbench((s) => s.errors);
  if (!errors.length) return null;
  return (
    <div className="error-banner" data-testid="error-banner" role="alert">
      {errors.map((e, i) => <div key={i}>{e}</div>)}
      <button onClick={actions.dismissErrors}>dismiss</button>
    </div>
  );
}
