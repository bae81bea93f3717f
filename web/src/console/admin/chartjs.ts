/**
 * Chart.js, only what bar charts need, registered once. Loaded on demand, so that only the
 * dashboard's visitors download it.
 */

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export { Chart };
