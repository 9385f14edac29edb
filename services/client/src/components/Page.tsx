import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A page: sets the document title and moves focus to the heading on arrival,
 * so keyboard and screen-reader users start at the new content.
 */
export function Page({
  title,
  children,
  narrow,
}: {
  title: string;
  children: ReactNode;
  narrow?: boolean;
}) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Users`;
    h1.current?.focus({ preventScroll: false });
  }, [title]);
  return (
    <section className={`page${narrow ? ' page-narrow' : ''}`} aria-labelledby="page-title">
      <h1 id="page-title" ref={h1} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </section>
  );
}
