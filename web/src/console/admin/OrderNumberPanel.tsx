/**
 * Whether customers give an order number as they open a ticket (`order_number`): never (the
 * portal's form does not ask, the server refuses one), if they like (the default), or always
 * (the form insists, and so does the server). Staff and API keys may always set it.
 */

import { setOrderNumber, type OrderNumber } from '../../data/organisation';
import { SettingChoicePanel, type SettingChoice } from './SettingChoicePanel';

const ORDER_NUMBER: SettingChoice<OrderNumber> = {
  name: 'order_number',
  title: 'tickets.order_number.title',
  legend: 'tickets.order_number.legend',
  note: 'tickets.order_number.staff',
  submit: 'tickets.order_number.submit',
  choices: [
    { value: 'hidden', label: 'tickets.order_number.hidden', hint: 'tickets.order_number.hidden_hint' },
    { value: 'optional', label: 'tickets.order_number.optional', hint: 'tickets.order_number.optional_hint' },
    { value: 'required', label: 'tickets.order_number.required', hint: 'tickets.order_number.required_hint' },
  ],
  current: (settings) => settings.order_number,
  save: setOrderNumber,
};

export function OrderNumberPanel() {
  return <SettingChoicePanel setting={ORDER_NUMBER} />;
}
