/**
 * Code fetched when it is first shown, not with the app: a module asked for the first time a
 * part needs it (a spinner meanwhile, its failure with Retry) and kept, so that the next page
 * that needs it is drawn at once. Drawn through `Loaded` every time, arrived or not, so that
 * nothing below it is drawn anew (and loses what it holds) when the page renders again.
 */

import type { ComponentChildren } from 'preact';
import { useResource } from '../data/resource';
import { Loaded } from './status';

type Render<M> = (module: M) => ComponentChildren;

/** A component drawing `children` with `load`'s module; `name` tells modules apart. */
export function lazy<M>(name: string, load: () => Promise<M>): (props: { children: Render<M> }) => ComponentChildren {
  let ready: M | undefined;
  const fetch = () => load().then((module) => (ready = module));
  return function Lazy({ children }) {
    const module = useResource(`module:${name}`, fetch);
    return <Loaded resource={ready === undefined ? module : { ...module, data: ready }}>{children}</Loaded>;
  };
}
