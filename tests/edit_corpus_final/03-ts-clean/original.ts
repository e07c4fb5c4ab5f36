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
      const response = await fetch(`${this.baseUrl}${path}`);
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
