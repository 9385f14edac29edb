export const PAGE_SIZES = [10, 25, 50, 100];

interface Props {
  offset: number;
  limit: number;
  total: number;
  shown: number;
  onOffset: (offset: number) => void;
  onLimit: (limit: number) => void;
}

export function Pager({ offset, limit, total, shown, onOffset, onLimit }: Props) {
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  const from = shown === 0 ? 0 : offset + 1;
  const to = offset + shown;
  return (
    <nav className="pager" aria-label="Pagination">
      <p className="pager-info" aria-live="polite">
        {total === 0 ? 'No users' : `Showing ${from}–${to} of ${total}`} · Page {page} of {pages}
      </p>
      <div className="pager-controls">
        <label className="pager-size">
          Rows per page{' '}
          <select value={limit} onChange={(e) => onLimit(Number(e.target.value))}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="btn"
          onClick={() => onOffset(Math.max(0, offset - limit))}
          disabled={offset === 0}
        >
          Previous page
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => onOffset(offset + limit)}
          disabled={offset + limit >= total}
        >
          Next page
        </button>
      </div>
    </nav>
  );
}
