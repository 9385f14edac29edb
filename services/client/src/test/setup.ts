import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';

// The machine is shared: give async queries room.
configure({ asyncUtilTimeout: 5000 });

beforeEach(() => {
  window.localStorage.clear();
  window.history.replaceState(null, '', '/');
});

afterEach(() => {
  cleanup();
});

// axe-core probes canvas for icon fonts; jsdom has none. Answer "no canvas".
HTMLCanvasElement.prototype.getContext = (() => null) as never;
