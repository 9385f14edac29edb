/** Base URL of the users API, fixed at build time. Empty: same origin, relative paths. */
export const API_URL: string = (import.meta.env.VITE_API_URL ?? '').replace(/\/+$/, '');
