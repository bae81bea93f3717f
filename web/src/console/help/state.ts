/**
 * What the help center's pages hand each other through the history entry: the article just
 * created (the editor says so), the one just deleted (the list says so).
 */

export interface CreatedState {
  createdArticle: string;
}

export interface DeletedState {
  deletedArticle: string;
}

/** The title of the article the editor was opened on right after creating it. */
export function createdState(state: unknown): string | null {
  const title = (state as Partial<CreatedState> | null)?.createdArticle;
  return typeof title === 'string' ? title : null;
}

/** The title of the article deleted just before the list was shown. */
export function deletedState(state: unknown): string | null {
  const title = (state as Partial<DeletedState> | null)?.deletedArticle;
  return typeof title === 'string' ? title : null;
}
