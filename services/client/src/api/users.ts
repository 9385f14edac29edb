import type { Session } from './session';
import { sendJson } from './http';
import type { User } from './types';

export interface UserPage {
  users: User[];
  total: number;
}

export interface NewUser {
  username: string;
  email: string;
  password: string;
  admin?: boolean;
}

export interface UserUpdate {
  username: string;
  email: string;
  active?: boolean;
  admin?: boolean;
}

/** Typed calls to the users API, one per endpoint of the contract. */
export class UsersApi {
  constructor(readonly session: Session) {}

  async register(body: { username: string; email: string; password: string }): Promise<User> {
    return (await sendJson<User>('POST', '/auth/register', body)).data;
  }

  async status(): Promise<User> {
    return (await this.session.request<User>('GET', '/auth/status')).data;
  }

  async changePassword(current_password: string, new_password: string): Promise<void> {
    await this.session.request<null>('PUT', '/auth/password', { current_password, new_password });
  }

  async list(limit: number, offset: number): Promise<UserPage> {
    const res = await this.session.request<User[]>(
      'GET',
      `/users?limit=${encodeURIComponent(limit)}&offset=${encodeURIComponent(offset)}`,
    );
    const header = res.headers.get('X-Total-Count');
    const users = Array.isArray(res.data) ? res.data : [];
    const total = header !== null && /^\d+$/.test(header) ? Number(header) : offset + users.length;
    return { users, total };
  }

  async create(body: NewUser): Promise<User> {
    return (await this.session.request<User>('POST', '/users', body)).data;
  }

  async update(id: number, body: UserUpdate): Promise<User> {
    return (await this.session.request<User>('PUT', `/users/${id}`, body)).data;
  }

  async remove(id: number): Promise<string> {
    const res = await this.session.request<{ message?: string }>('DELETE', `/users/${id}`);
    return res.data?.message ?? 'User removed.';
  }
}
