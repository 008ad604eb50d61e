/**
 * The hash router: `#/dashboard`, `#/settings`, `#/signin/failed`. The hash keeps every page
 * reachable from the one static index.html the server serves, with no server-side routes.
 */

/** The page shown when the hash names none. */
export const DEFAULT_PAGE = 'dashboard';

function segments(hash: string): string[] {
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

let parts = $state(segments(location.hash));
window.addEventListener('hashchange', () => {
  parts = segments(location.hash);
});

/** The current route: the page id and what follows it. */
export const route = {
  get page(): string {
    return parts[0] ?? DEFAULT_PAGE;
  },
  get rest(): string[] {
    return parts.slice(1);
  },
};

/** The href of a page, for links. */
export function href(page: string, ...rest: string[]): string {
  return '#/' + [page, ...rest].map(encodeURIComponent).join('/');
}

/** Goes to a page (and what follows it, `rest`); `replace` leaves no history entry (for redirects). */
export function navigate(page: string, options: { replace?: boolean; rest?: readonly string[] } = {}): void {
  const target = href(page, ...(options.rest ?? []));
  if (options.replace) {
    history.replaceState(history.state, '', target);
    parts = segments(target);
  } else {
    location.hash = target;
  }
}
