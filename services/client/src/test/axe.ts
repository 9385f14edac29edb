import axe from 'axe-core';
import { expect } from 'vitest';

/** Runs axe on a rendered subtree and fails listing every violation. */
export async function expectAccessible(node: Element = document.body): Promise<void> {
  const result = await axe.run(node, {
    // jsdom has no layout: contrast cannot be computed here (the e2e run checks it).
    rules: { 'color-contrast': { enabled: false } },
  });
  const summary = result.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect(summary).toEqual([]);
}
