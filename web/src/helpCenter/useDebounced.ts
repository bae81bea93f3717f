/** A value that follows another once it has stopped changing for a moment (`suggest.ts`). */

import { useEffect, useRef, useState } from 'preact/hooks';
import { debouncer } from './suggest';

/** `value`, `ms` after its last change; at once when it equals `immediate` (an emptied field
 * clears what it suggested without waiting). */
export function useDebounced<T>(value: T, ms: number, immediate?: T): T {
  const [settled, setSettled] = useState(value);
  const debounce = useRef<ReturnType<typeof debouncer<T>> | null>(null);
  debounce.current ??= debouncer<T>(setSettled, ms);
  useEffect(() => () => debounce.current?.cancel(), []);
  useEffect(() => {
    if (immediate !== undefined && value === immediate) {
      debounce.current?.cancel();
      setSettled(value);
    } else {
      debounce.current?.push(value);
    }
  }, [value]);
  return settled;
}
