export interface Duration {
  hours: number;
  minutes: number;
  seconds: number;
}

export function splitSeconds(total: number): Duration {
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return { hours, minutes, seconds };
}

function pad(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

export function formatDuration(total: number): string {
  const { hours, minutes, seconds } = splitSeconds(Math.round(total));
  if (hours === 0) {
    return `${pad(minutes)}:${pad(seconds)}`;
  }
  return `${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
}

export function parseDuration(text: string): number {
  const [h, m, s] = text.split(':').map(Number);
  return h * 3600 + m * 60 + s;
}
