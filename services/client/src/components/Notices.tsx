import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export type NoticeKind = 'success' | 'error' | 'info';
export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

interface NoticeApi {
  notify: (kind: NoticeKind, text: string) => void;
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
    // One message per kind at a time keeps the screen calm.
    setNotices((ns) => [
      ...ns.filter((n) => n.kind !== kind && n.text !== text),
      { id, kind, text },
    ]);
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
