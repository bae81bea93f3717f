/** The time, renewed every so often: "due in 5 minutes" stays true without a reload. */

import { useEffect, useState } from 'preact/hooks';

export function useNow(everyMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
