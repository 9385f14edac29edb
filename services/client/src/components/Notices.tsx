import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { usePath } from '../router';

export type NoticeKind = 'success' | 'error' | 'info';
export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
  at: number;
}

interface NoticeApi {
  /** Shows a message; returns its id (for dismiss). */
  notify: (kind: NoticeKind, text: string) => number;
  dismiss: (id: number) => void;
  notices: Notice[];
}

const Ctx = createContext<NoticeApi | null>(null);
let nextId = 1;

export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const dismiss = useCallback((id: number) => {
    setNotices((ns) => ns.filter((n) => n.id !== id));
  }, []);
  const notify = useCallback((kind: NoticeKind, text: string) => {
    const id = nextId++;
    // One message at a time: a new outcome replaces the last one.
    setNotices([{ id, kind, text, at: Date.now() }]);
    return id;
  }, []);
  const value = useMemo(() => ({ notify, dismiss, notices }), [notify, dismiss, notices]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useNotices(): NoticeApi {
  const v = useContext(Ctx);
  if (!v) throw new Error('useNotices outside NoticeProvider');
  return v;
}

/**
 * Two live regions that always exist, so assistive technology announces what
 * is put in them: errors assertively (role=alert), the rest politely.
 */
export function NoticeArea() {
  const { notices, dismiss } = useNotices();
  const path = usePath();
  const lastPath = useRef(path);
  // Leaving a page drops its old messages, but keeps one that was just
  // posted on the way (e.g. "You are logged out." before going home).
  useEffect(() => {
    if (lastPath.current === path) return;
    lastPath.current = path;
    for (const n of notices) if (Date.now() - n.at > 1500) dismiss(n.id);
  }, [path, notices, dismiss]);
  const errors = notices.filter((n) => n.kind === 'error');
  const others = notices.filter((n) => n.kind !== 'error');
  const render = (n: Notice) => (
    <div key={n.id} className={`notice notice-${n.kind}`}>
      <span className="notice-text">{n.text}</span>
      <button
        type="button"
        className="notice-close"
        aria-label={`Dismiss message: ${n.text}`}
        onClick={() => dismiss(n.id)}
      >
        ×
      </button>
    </div>
  );
  return (
    <div className="notices">
      <div role="alert" className="notice-region">
        {errors.map(render)}
      </div>
      <div role="status" className="notice-region">
        {others.map(render)}
      </div>
    </div>
  );
}
