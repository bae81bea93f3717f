//! Code fetched when it is first shown, not with the app: a module asked for the first time a
//! part needs it (a spinner meanwhile, its failure with Retry) and kept, so that the next page
//! that needs it is drawn at once.

import type { ComponentChildren } from 'preact';
import { useResource } from '../data/resource';
import { Loaded } from './status';

type Render<M> = (module: M) => ComponentChildren;

/** A component drawing `children` with `load`'s module; `name` tells modules apart. */
export function lazy<M>(name: string, load: () => Promise<M>): (props: { children: Render<M> }) => ComponentChildren {
  let ready: M | undefined;
  const fetch = () => load().then((module) => (ready = module));
  return function Lazy({ children }) {
    return ready !== undefined ? children(ready) : <Fetched name={name} fetch={fetch} render={children} />;
  };
}

function Fetched<M>({ name, fetch, render }: { name: string; fetch: () => Promise<M>; render: Render<M> }) {
  const module = useResource(`module:${name}`, fetch);
  return <Loaded resource={module}>{render}</Loaded>;
}
