import { Settings } from "./settings";

export interface ApiResult<T> {
  ok: boolean;
  data?: T;
  error?: string;
}

export class ApiClient {
  private readonly baseUrl: string;

  constructor(settings: Settings) {
    this.baseUrl = settings.apiUrl.replace(/\/$/, "");
  }

  async get<T>(path: string): Promise<ApiResult<T>> {
    try {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 10_000);
      const response = await fetch(`${this.baseUrl}${path}`, { signal: controller.signal });
      clearTimeout(timer);
      if (!response.ok) {
        return { ok: false, error: `HTTP ${response.status}` };
      }
      const data = (await response.json()) as T;
      return { ok: true, data };
    } catch (err) {
      return { ok: false, error: String(err) };
    }
  }
}
