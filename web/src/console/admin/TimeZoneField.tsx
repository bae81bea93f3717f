/**
 * A time zone typed by name (`Europe/Paris`), the zones this browser knows offered as it is typed.
 */

import { useId, useMemo } from 'preact/hooks';
import { TextField } from '../../ui/Field';
import { timeZones } from '../schedules';

export function TimeZoneField(props: { label: string; hint: string; name: string; value: string; error: string | undefined; onValue: (value: string) => void }) {
  const id = useId();
  const zones = useMemo(timeZones, []);
  return (
    <>
      <TextField {...props} autocomplete="off" spellcheck={false} list={`${id}-zones`} required />
      <datalist id={`${id}-zones`}>
        {zones.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
    </>
  );
}
