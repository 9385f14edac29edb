import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectAccessible, launch, screenshot, type Browser } from './browser';

const base = inject('baseURL');
const admin = { email: inject('adminEmail'), password: inject('adminPassword') };
const STORAGE_KEY = 'users-client.session';
const alice = { username: 'alice', email: 'alice@example.com', password: 'alice-pass-1' };
const newAlicePassword = 'alice-pass-2';

let browser: Browser;
let page: Page;

const heading = (p: Page, name: string) => p.getByRole('heading', { level: 1, name, exact: true });
const main = (p: Page) => p.getByRole('main');
const statusText = (p: Page) => p.getByRole('status').filter({ hasText: /\S/ }).first();

async function login(p: Page, email: string, password: string) {
  await p.goto(`${base}/login`);
  await heading(p, 'Log in').waitFor();
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password', { exact: true }).fill(password);
  await p.getByRole('button', { name: 'Log in' }).click();
  await heading(p, 'Users').waitFor();
}

async function logout(p: Page) {
  await p.getByRole('button', { name: 'Log out' }).click();
  await heading(p, 'Welcome').waitFor();
}

/** The refresh token as the client stored it (IndexedDB users-client/session). */
function idbToken(p: Page): Promise<unknown> {
  return p.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('users-client', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('session');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('session').objectStore('session').get('refresh');
          req.onsuccess = () => {
            open.result.close();
            resolve(req.result);
          };
        };
      }),
  );
}

function setIdbToken(p: Page, token: string): Promise<unknown> {
  return p.evaluate(
    (t) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('users-client', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('session');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('session', 'readwrite');
          tx.objectStore('session').put(t, 'refresh');
          tx.oncomplete = () => {
            open.result.close();
            resolve(null);
          };
        };
      }),
    token,
  );
}

beforeAll(async () => {
  browser = await launch();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
});

describe('users client against the real users-api', () => {
  it('shows a visitor the welcome page, not a table', async () => {
    await page.goto(`${base}/`);
    await heading(page, 'Welcome').waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await main(page).getByRole('link', { name: 'Log in' }).isVisible()).toBe(true);
    await screenshot(page, '01-welcome');
    await expectAccessible(page);
  });

  it('registers a new account and lands on the users table', async () => {
    await main(page).getByRole('link', { name: 'Create an account' }).click();
    await heading(page, 'Create an account').waitFor();
    // The field rules are checked before sending.
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Username is required.').waitFor();
    await page.getByLabel('Username').fill(alice.username);
    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password', { exact: true }).fill(alice.password);
    await page.getByLabel('Repeat password').fill(alice.password);
    await screenshot(page, '02-register');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading(page, 'Users').waitFor();
    expect(await statusText(page).textContent()).toContain('Account alice created');
    await page.getByRole('cell', { name: alice.email }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/directory');
  });

  it('shares the session with a second tab (it skips the register page)', async () => {
    const p = await browser.context.newPage();
    await p.goto(`${base}/register`);
    // This tab shares the logged-in session: it is sent to the table.
    await heading(p, 'Users').waitFor();
    await p.close();
  });

  it('offers a regular user no admin actions', async () => {
    await page.getByRole('cell', { name: admin.email }).waitFor();
    expect(await page.getByRole('button', { name: 'Add user' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit admin' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete admin' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit alice' }).isVisible()).toBe(true);
    await screenshot(page, '03-users-regular');
    await expectAccessible(page);
  });

  it('keeps the session across a reload, with only the refresh token stored', async () => {
    await page.reload();
    await heading(page, 'Users').waitFor();
    await page.getByRole('cell', { name: alice.email }).waitFor();
    const marker = await page.evaluate((k) => window.localStorage.getItem(k), STORAGE_KEY);
    expect(JSON.parse(marker ?? 'null')).toEqual({ sub: expect.any(String) });
    // localStorage holds no token at all; the refresh token is in IndexedDB.
    const all = await page.evaluate(() => JSON.stringify({ ...window.localStorage }));
    expect(Object.keys(JSON.parse(all))).toEqual([STORAGE_KEY]);
    expect(await idbToken(page)).toMatch(/\S{20,}/);
  });

  it('changes the password on the account page', async () => {
    await page.getByRole('link', { name: 'My account' }).click();
    await heading(page, 'My account').waitFor();
    await page.getByLabel('Current password', { exact: true }).fill('wrong-password');
    await page.getByLabel('New password', { exact: true }).fill(newAlicePassword);
    await page.getByLabel('Repeat new password').fill(newAlicePassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    await heading(page, 'My account').waitFor();
    await page.getByLabel('Current password', { exact: true }).fill(alice.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password was changed.').waitFor();
    await screenshot(page, '04-account');
    await expectAccessible(page);
    // Still logged in after the server revoked the old refresh tokens.
    await page.reload();
    await heading(page, 'My account').waitFor();
  });

  it('logs out through /auth/logout and back in with the new password', async () => {
    const logoutCall = page.waitForRequest(
      (r) => r.url().endsWith('/auth/logout') && r.method() === 'POST',
    );
    await logout(page);
    await logoutCall;
    expect(await page.evaluate((k) => window.localStorage.getItem(k), STORAGE_KEY)).toBeNull();
    expect(await idbToken(page)).toBeUndefined();
    expect(await statusText(page).textContent()).toContain('You are logged out.');
    await page.reload();
    await heading(page, 'Welcome').waitFor();

    await page.goto(`${base}/login`);
    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password', { exact: true }).fill(alice.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Invalid email or password.').waitFor();
    await screenshot(page, '05-login-refused');
    await expectAccessible(page);
    await login(page, alice.email, newAlicePassword);
    await logout(page);
  });

  it('lets an admin add, edit and delete a user', async () => {
    await login(page, admin.email, admin.password);
    await page.getByRole('button', { name: 'Add user' }).click();
    const add = page.getByRole('dialog', { name: 'Add user' });
    await add.getByLabel('Username').fill('carol');
    await add.getByLabel('Email').fill('carol@example.com');
    await add.getByLabel('Password').fill('carol-pass-1');
    await screenshot(page, '06-add-user');
    await expectAccessible(page);
    await add.getByRole('button', { name: 'Add user' }).click();
    await page.getByText('User carol was added.').waitFor();
    const carolRow = page.getByRole('row').filter({ hasText: 'carol@example.com' });
    await carolRow.waitFor();

    await page.getByRole('button', { name: 'Edit carol' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit carol' });
    await edit.getByLabel('Username').fill('caroline');
    await edit.getByLabel('Email').fill('caroline@example.com');
    await edit.getByLabel('Active (may log in)').uncheck();
    await edit.getByLabel('Administrator').check();
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('User caroline was saved.').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'caroline@example.com' });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells[1]).toBe('caroline');
    expect(cells[4]).toBe('No'); // active
    expect(cells[5]).toBe('Yes'); // admin

    // The server's refusal shows next to the field.
    await page.getByRole('button', { name: 'Edit caroline' }).click();
    const dup = page.getByRole('dialog', { name: 'Edit caroline' });
    await dup.getByLabel('Email').fill(alice.email);
    await dup.getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /exists/ })
      .waitFor();
    await dup.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Delete caroline' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete caroline?' });
    await confirm.waitFor();
    await screenshot(page, '07-confirm-delete');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('caroline@example.com was removed!').waitFor();
    await row.waitFor({ state: 'detached' });
    await screenshot(page, '08-users-admin');
    await expectAccessible(page);
  });

  it('does not let two tabs log each other out by racing a refresh', async () => {
    const second = await browser.context.newPage();
    await second.goto(`${base}/directory`);
    await heading(second, 'Users').waitFor();
    // The server runs with REFRESH_TOKEN_REUSE_INTERVAL=0: replaying a used
    // refresh token would revoke the whole login. Without the Web Lock this
    // loop loses a tab within a few rounds.
    for (let i = 0; i < 5; i++) {
      // Both tabs start from the stored refresh token at the same moment.
      await Promise.all([page.reload(), second.reload()]);
      await Promise.all([heading(page, 'Users').waitFor(), heading(second, 'Users').waitFor()]);
    }
    await page.getByRole('cell', { name: admin.email }).waitFor();
    await second.getByRole('cell', { name: admin.email }).waitFor();
    // Logging out in one tab logs out the other.
    await logout(second);
    await heading(page, 'Welcome').waitFor();
    await second.close();
  });

  it('returns to the login page with a message when the session is dead', async () => {
    // A stored session whose refresh token the server does not know.
    await page.evaluate(
      (k) => window.localStorage.setItem(k, JSON.stringify({ sub: '1' })),
      STORAGE_KEY,
    );
    await setIdbToken(page, 'bogus-refresh-token');
    await page.goto(`${base}/directory`);
    await heading(page, 'Log in').waitFor();
    await page.getByText('Your session has expired. Please log in again.').waitFor();
  });

  it('logs in with the keyboard alone', async () => {
    await page.goto(`${base}/login`);
    await heading(page, 'Log in').waitFor();
    // Focus starts at the page heading; Tab walks into the form.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('email');
    await page.keyboard.type(admin.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(admin.password);
    await page.keyboard.press('Enter');
    await heading(page, 'Users').waitFor();
    // Open the add dialog and leave it with Escape, focus returning to the button.
    await page.getByRole('button', { name: 'Add user' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Add user' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Add user');
    await logout(page);
  });

  it('works at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/`);
    await heading(page, 'Welcome').waitFor();
    await screenshot(page, '09-welcome-phone');
    await login(page, admin.email, admin.password);
    await page.getByRole('cell', { name: alice.email }).waitFor();
    await screenshot(page, '10-users-phone');
    await expectAccessible(page);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('is readable in dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${base}/directory`);
    await page.getByRole('cell', { name: alice.email }).waitFor();
    await screenshot(page, '11-users-dark');
    await expectAccessible(page); // colour contrast included
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
