import { Component, type ReactNode } from 'react';

/** Shows a render error in place of its panel (with a retry) instead of blanking the whole page. */
export class ErrorBoundary extends Component<{ children: ReactNode; name: string }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="error-banner" role="alert" data-testid="panel-error">
        The {this.props.name} panel failed: {this.state.error.name}: {this.state.error.message}{' '}
        <button onClick={() => this.setState({ error: null })}>retry</button>
      </div>
    );
  }
}
